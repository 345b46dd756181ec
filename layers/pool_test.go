package layers

import (
	"math"
	"testing"

	"gorgonia.org/tensor"
)

func TestPoolGolden(t *testing.T) { runGoldenFile(t, "pool.json") }

func TestPoolGradCheck(t *testing.T) {
	for _, c := range []struct {
		k, s, p int
		shape   tensor.Shape
	}{{2, 0, 0, tensor.Shape{2, 2, 4, 6}}, {3, 2, 1, tensor.Shape{1, 2, 7, 5}}, {2, 1, 0, tensor.Shape{1, 1, 4, 4}}} {
		gradCheck(t, MaxPool2D{Kernel: c.k, Stride: c.s, Padding: c.p}, true, c.shape, 4)
		gradCheck(t, AvgPool2D{Kernel: c.k, Stride: c.s, Padding: c.p}, true, c.shape, 4)
	}
}

func TestPoolShapeErrors(t *testing.T) {
	wantErr(t, buildErr(MaxPool2D{Kernel: 2}, tensor.Float64, 8, 8), "MaxPool2D: input has shape (8, 8), want (N, C, H, W) or (C, H, W)")
	wantErr(t, buildErr(AvgPool2D{Kernel: 3, Padding: 2}, tensor.Float64, 1, 1, 8, 8), "AvgPool2D: Padding [2 2] must be at most half the kernel [3 3]")
	wantErr(t, buildErr(MaxPool2D{Kernel: 4}, tensor.Float64, 1, 1, 3, 8), "smaller than the kernel")
}

// A NaN in a window makes that window's maximum NaN (like PyTorch), in the 2×2 fast path and the
// general path.
func TestMaxPoolNaN(t *testing.T) {
	nan := math.NaN()
	x := []float64{
		1, nan, 3, 4,
		5, 6, 7, 8,
		9, 10, nan, 12,
		13, 14, 15, 16,
	}
	for _, stride := range []int{2, 1} {
		g := convGeom{n: 1, c: 1, h: 4, w: 4, kh: 2, kw: 2, sh: stride, sw: stride, dh: 1, dw: 1, groups: 1}
		g.oh, g.ow = (4-2)/stride+1, (4-2)/stride+1
		y := make([]float64, g.oh*g.ow)
		arg := make([]int32, len(y))
		poolForward(true, g, y, x, arg)
		if stride == 2 {
			want := []float64{nan, 8, 14, nan}
			for i := range want {
				if !(y[i] == want[i] || math.IsNaN(y[i]) && math.IsNaN(want[i])) {
					t.Fatalf("stride 2: output %v, want %v", y, want)
				}
			}
		} else if !math.IsNaN(y[0]) || !math.IsNaN(y[1]) || y[2] != 8 || !math.IsNaN(y[4]) || y[6] != 14 {
			t.Fatalf("stride 1: output %v", y)
		}
	}
}

// Non-square windows, dilation, ceil_mode, count_include_pad=False, divisor_override and unbatched
// inputs against PyTorch; every case's backward by finite differences.
func TestPoolOptionsGolden(t *testing.T) { runGoldenFile(t, "pool_options.json") }

func TestPoolOptionsGradCheck(t *testing.T) { gradCheckGoldenFile(t, "pool_options.json") }

// Adaptive average and max pooling against PyTorch; every case's backward by finite differences.
func TestAdaptivePoolGolden(t *testing.T) { runGoldenFile(t, "adaptive.json") }

func TestAdaptivePoolGradCheck(t *testing.T) { gradCheckGoldenFile(t, "adaptive.json") }

func TestAdaptivePoolErrors(t *testing.T) {
	wantErr(t, buildErr(AdaptiveAvgPool2D{}, tensor.Float64, 1, 1, 3, 4), "OutputSize (or OutputSizeHW) must be given")
	wantErr(t, buildErr(AdaptiveMaxPool2D{OutputSize: 2, OutputSizeHW: [2]int{2, 2}}, tensor.Float64, 1, 1, 3, 4), "both set")
}
