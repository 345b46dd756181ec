package solvertest_test

import (
	"fmt"

	"github.com/stheno-ml/stheno/solvers/solvertest"
	"gorgonia.org/tensor"
)

// ExampleCases lists what the suite holds for one torch.optim solver.
func ExampleCases() {
	var f64, f32, exact int
	for _, c := range solvertest.Cases("adam") {
		switch {
		case c.Dtype == tensor.Float64:
			f64++
		case c.Tol == 0:
			exact++
		default:
			f32++
		}
	}
	fmt.Printf("Adam: %d float64 cases (to 1e-10), %d float32 cases to 1e-5, %d float32 cases bit for bit\n", f64, f32, exact)
	c := solvertest.Cases("adam")[0]
	fmt.Println(c.Name, c.Solver, c.Dtype, c.Steps, "steps of", len(c.Params), "parameters")
	// Output:
	// Adam: 39 float64 cases (to 1e-10), 40 float32 cases to 1e-5, 6 float32 cases bit for bit
	// adam.json/0 adam float64 7 steps of 2 parameters
}
