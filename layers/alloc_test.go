package layers

import (
	"testing"

	"github.com/stheno-ml/stheno/internal/num"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The ops' Do methods allocate nothing once warmed up.
func TestOpsZeroAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts")
	}
	t.Run("float32", testOpsZeroAllocs[float32])
	t.Run("float64", testOpsZeroAllocs[float64])
}

func testOpsZeroAllocs[T num.Float](t *testing.T) {
	rng := newTestRand(1)
	f32 := func(shape ...int) *tensor.Dense { return randDenseOf[T](rng, shape...) }
	x2, w, b := f32(8, 5), f32(3, 5), f32(3)
	x4 := f32(4, 3, 6, 6)
	cases := []struct {
		name string
		op   interface {
			Do(...gorgonia.Value) (gorgonia.Value, error)
		}
		in    []gorgonia.Value
		limit float64
	}{
		{"linear", &linearOp{newAffineOp("linear", true)}, []gorgonia.Value{x2, w, b}, 0},
		{"linearGradW", &linearGradOp{wrtOp: newWrtOp("g", 1)}, []gorgonia.Value{x2, f32(8, 3)}, 0},
		{"gelu", newActOp(actGELU, 0, 2), []gorgonia.Value{x2}, 0},
		{"geluParallel", newActOp(actGELU, 0, 2), []gorgonia.Value{f32(64, 1024)}, 0},
		{"linearParallel", &linearOp{newAffineOp("linear", false)}, []gorgonia.Value{f32(64, 784), f32(128, 784)}, 0},
		{"maxpool", &poolOp{opBase: newBase("maxpool"), max: true, g: convGeom{n: 4, c: 3, h: 6, w: 6, kh: 2, kw: 2, sh: 2, sw: 2, dh: 1, dw: 1, groups: 1, oh: 3, ow: 3}}, []gorgonia.Value{x4}, 0},
		{"dropout", &dropoutOp{opBase: newBase("dropout"), p: 0.5, dims: 2, rng: newTestRand(2)}, []gorgonia.Value{x2}, 0},
		{"batchnorm", &bnOp{opBase: newBase("bn"), dims: 4, n: 4, c: 3, s: 36, eps: 1e-5, mom: 0.1, affine: true, batchStats: true, update: true,
			runMean: f32(3), runVar: f32(3), numBatches: f32(1)}, []gorgonia.Value{x4, f32(3), f32(3)}, 0},
		{"convDepthwise", &convOp{affineOp: newAffineOp("conv", false), g: convGeom{n: 4, c: 3, h: 6, w: 6, o: 6, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, groups: 3, oh: 6, ow: 6}},
			[]gorgonia.Value{x4, f32(6, 1, 3, 3)}, 0},
		{"convDepthwiseStride2", &convOp{affineOp: newAffineOp("conv", false), g: convGeom{n: 4, c: 3, h: 6, w: 6, o: 3, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1, dh: 1, dw: 1, groups: 3, oh: 3, ow: 3}},
			[]gorgonia.Value{x4, f32(3, 1, 3, 3)}, 0},
		{"conv", &convOp{affineOp: newAffineOp("conv", false), g: convGeom{n: 4, c: 3, h: 6, w: 6, o: 2, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, groups: 1, oh: 6, ow: 6}},
			[]gorgonia.Value{x4, f32(2, 3, 3, 3)}, 0},
	}
	for _, c := range cases {
		if _, err := c.op.Do(c.in...); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		allocs := testing.AllocsPerRun(20, func() {
			if _, err := c.op.Do(c.in...); err != nil {
				t.Fatal(err)
			}
		})
		if allocs > c.limit {
			t.Errorf("%s: %v allocations per Do, want ≤ %v", c.name, allocs, c.limit)
		}
	}
}
