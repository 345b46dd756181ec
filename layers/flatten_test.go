package layers

import (
	"testing"

	"gorgonia.org/tensor"
)

func TestFlatten(t *testing.T) {
	gradCheck(t, Flatten{}, true, tensor.Shape{2, 3, 2, 2}, 1)
	wantErr(t, buildErr(Flatten{}, tensor.Float64, 5), "Flatten: input has shape (5)")
	rng := newTestRand(1)
	x := randDense(rng, tensor.Shape{2, 3, 4})
	lg := buildLoss(t, Flatten{}, tensor.Float64, true, x, randDense(rng, tensor.Shape{2, 12}))
	lg.run(t)
	if !lg.out.Shape().Eq(tensor.Shape{2, 12}) {
		t.Fatalf("shape %v", lg.out.Shape())
	}
	got, want := float64s(lg.out.Value()), x.Data().([]float64)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("element %d: %v, want %v", i, got[i], want[i])
		}
	}
}
