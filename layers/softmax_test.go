package layers

import (
	"math"
	"testing"

	"gorgonia.org/tensor"
)

func TestSoftmaxLayers(t *testing.T) {
	rng := newTestRand(8)
	for _, axis := range []int{1, -1, 0} {
		x := randDense(rng, tensor.Shape{3, 4})
		r := randDense(rng, tensor.Shape{3, 4})
		sm := buildLoss(t, Softmax{Axis: Set(axis)}, tensor.Float64, true, x, r)
		lsm := buildLoss(t, LogSoftmax{Axis: Set(axis)}, tensor.Float64, true, x, r)
		sm.run(t)
		lsm.run(t)
		p, lp := float64s(sm.out.Value()), float64s(lsm.out.Value())
		xs := x.Data().([]float64)
		for i := 0; i < 3; i++ {
			for j := 0; j < 4; j++ {
				// Reference computed directly.
				var z float64
				for k := 0; k < 4; k++ {
					if axis == 0 {
						if k < 3 {
							z += math.Exp(xs[k*4+j])
						}
					} else {
						z += math.Exp(xs[i*4+k])
					}
				}
				want := math.Exp(xs[i*4+j]) / z
				if math.Abs(p[i*4+j]-want) > 1e-14 || math.Abs(lp[i*4+j]-math.Log(want)) > 1e-14 {
					t.Fatalf("axis %d (%d,%d): softmax %v, log-softmax %v, want %v", axis, i, j, p[i*4+j], lp[i*4+j], want)
				}
			}
		}
		gradCheck(t, Softmax{Axis: Set(axis)}, true, tensor.Shape{3, 4}, 9)
		gradCheck(t, LogSoftmax{Axis: Set(axis)}, true, tensor.Shape{3, 4}, 9)
	}
	wantErr(t, buildErr(Sequential{Softmax{Axis: Set(2)}}, tensor.Float64, 3, 4), `layers: Softmax "0"`)
}
