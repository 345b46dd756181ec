package layers

import (
	"testing"

	"gorgonia.org/tensor"
)

func TestConv2DGolden(t *testing.T) { runGoldenFile(t, "conv2d.json") }

func TestConv2DGradCheck(t *testing.T) {
	for _, c := range []struct {
		m     Conv2D
		shape tensor.Shape
	}{
		{Conv2D{In: 2, Out: 3, Kernel: 3}, tensor.Shape{2, 2, 5, 5}},
		{Conv2D{In: 2, Out: 3, Kernel: 3, Padding: 1}, tensor.Shape{3, 2, 4, 5}},
		{Conv2D{In: 1, Out: 2, Kernel: 3, Stride: 2, Padding: 1, NoBias: true}, tensor.Shape{2, 1, 6, 5}},
		{Conv2D{In: 2, Out: 2, Kernel: 2, Stride: 3, Padding: 1}, tensor.Shape{1, 2, 7, 6}},
	} {
		gradCheck(t, c.m, true, c.shape, 3)
	}
}

func TestConv2DShapeErrors(t *testing.T) {
	wantErr(t, buildErr(Conv2D{In: 3, Out: 4, Kernel: 3}, tensor.Float64, 2, 1, 8, 8), "Conv2D: input has 1 channels, want 3")
	wantErr(t, buildErr(Conv2D{In: 1, Out: 4, Kernel: 3}, tensor.Float64, 8, 8), "want (N, 1, H, W) or (1, H, W)")
	wantErr(t, buildErr(Conv2D{In: 1, Out: 4, Kernel: 5}, tensor.Float64, 2, 1, 3, 8), "smaller than the kernel")
	wantErr(t, buildErr(Conv2D{In: 1, Out: 4}, tensor.Float64, 2, 1, 3, 8), "Kernel (or KernelHW) must be given")
}

// Non-square kernels, strides and padding, dilation, groups (depthwise), padding='same' (uneven
// too), 1×1 and unbatched inputs against PyTorch; every case's backward by finite differences.
func TestConv2DOptionsGolden(t *testing.T) { runGoldenFile(t, "conv2d_options.json") }

func TestConv2DOptionsGradCheck(t *testing.T) { gradCheckGoldenFile(t, "conv2d_options.json") }
