package layers

import (
	"testing"

	"gorgonia.org/tensor"
)

// Conv1D, MaxPool1D and AvgPool1D against PyTorch; every case's backward by finite differences.
func TestConv1DGolden(t *testing.T) { runGoldenFile(t, "conv1d.json") }

func TestConv1DGradCheck(t *testing.T) { gradCheckGoldenFile(t, "conv1d.json") }

func TestConv1DErrors(t *testing.T) {
	wantErr(t, buildErr(Conv1D{In: 2, Out: 1, Kernel: 3}, tensor.Float64, 1, 2, 3, 4), "want (N, 2, L) or (2, L)")
	wantErr(t, buildErr(Conv1D{In: 2, Out: 1}, tensor.Float64, 1, 2, 5), "Kernel=0 must be positive")
	wantErr(t, buildErr(MaxPool1D{Kernel: 2}, tensor.Float64, 5), "want (N, C, L) or (C, L)")
}
