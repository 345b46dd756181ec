package layers

import (
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
	wantErr(t, buildErr(MaxPool2D{Kernel: 2}, tensor.Float64, 2, 8, 8), "MaxPool2D: input has shape (2, 8, 8), want (N, C, H, W)")
	wantErr(t, buildErr(AvgPool2D{Kernel: 3, Padding: 2}, tensor.Float64, 1, 1, 8, 8), "AvgPool2D: invalid configuration")
	wantErr(t, buildErr(MaxPool2D{Kernel: 4}, tensor.Float64, 1, 1, 3, 8), "smaller than the kernel")
}
