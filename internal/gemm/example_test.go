package gemm_test

import (
	"fmt"

	"github.com/stheno-ml/stheno/internal/gemm"
)

// C = A·Bᵀ + C for A (2×3) and B stored (2×3), as Linear's forward pass
// computes x·Wᵀ + b without building Wᵀ.
func ExampleGemm() {
	a := []float32{1, 2, 3, 4, 5, 6}
	w := []float32{1, 0, 1, 0, 1, 0}
	c := []float32{10, 20, 30, 40} // the bias, broadcast
	gemm.Gemm(false, true, 2, 2, 3, 1, a, 3, w, 3, 1, c, 2)
	fmt.Println(c)
	// Output: [14 22 40 45]
}
