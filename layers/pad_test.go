package layers

import (
	"testing"

	"gorgonia.org/tensor"
)

// The padding layers and Conv2D's PaddingMode against PyTorch; every case's backward by finite
// differences.
func TestPadGolden(t *testing.T) { runGoldenFile(t, "pad.json") }

func TestPadGradCheck(t *testing.T) { gradCheckGoldenFile(t, "pad.json") }

// The int form pads all four sides; circular padding wraps around.
func TestPadForms(t *testing.T) {
	rng := newTestRand(4)
	x := randDense(rng, tensor.Shape{1, 1, 3, 4})
	a := buildLoss(t, ZeroPad2D{Padding: 1}, tensor.Float64, true, x, randDense(rng, tensor.Shape{1, 1, 5, 6}))
	b := buildLoss(t, ZeroPad2D{PaddingLRTB: [4]int{1, 1, 1, 1}}, tensor.Float64, true, x, randDense(rng, tensor.Shape{1, 1, 5, 6}))
	a.run(t)
	b.run(t)
	ga, gb := float64s(a.out.Value()), float64s(b.out.Value())
	for i := range ga {
		if ga[i] != gb[i] {
			t.Fatalf("Padding 1 and PaddingLRTB {1,1,1,1} differ at %d", i)
		}
	}
	for i, want := range []int{3, 0, 1, 2, 3, 0} { // circular src of columns −1 … 4 of a width 4
		if got := padCircular.src(i, 1, 4); got != want {
			t.Errorf("circular src(%d) = %d, want %d", i, got, want)
		}
	}
	wantErr(t, buildErr(ReflectionPad2D{Padding: 3}, tensor.Float64, 1, 1, 3, 4), "must be smaller than the input")
	wantErr(t, buildErr(ZeroPad2D{Padding: 1, PaddingLRTB: [4]int{1, 0, 0, 0}}, tensor.Float64, 1, 1, 3, 4), "both set")
	wantErr(t, buildErr(Conv2D{In: 1, Out: 1, Kernel: 3, PaddingMode: "mirror"}, tensor.Float64, 1, 1, 3, 4), `PaddingMode="mirror"`)
}
