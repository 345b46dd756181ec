package layers

import (
	"testing"

	"gorgonia.org/tensor"
)

func TestBatchNormGolden(t *testing.T) { runGoldenFile(t, "batchnorm.json") }

func TestBatchNormGradCheck(t *testing.T) {
	for _, train := range []bool{true, false} {
		gradCheck(t, BatchNorm1D{Features: 3}, train, tensor.Shape{5, 3}, 6)
		gradCheck(t, BatchNorm1D{Features: 2}, train, tensor.Shape{3, 2, 4}, 6)
		gradCheck(t, BatchNorm2D{Features: 3, Eps: Set(1e-3)}, train, tensor.Shape{2, 3, 3, 2}, 6)
	}
}

func TestBatchNormShapeErrors(t *testing.T) {
	wantErr(t, buildErr(BatchNorm2D{Features: 3}, tensor.Float64, 2, 4, 5, 5), "BatchNorm2D: input has 4 features, want 3")
	wantErr(t, buildErr(BatchNorm2D{Features: 3}, tensor.Float64, 2, 3), "want (N, 3, H, W)")
	wantErr(t, buildErr(BatchNorm1D{Features: 3}, tensor.Float64, 2, 3, 4, 4), "want (N, 3) or (N, 3, L)")
	wantErr(t, buildErr(BatchNorm1D{Features: 3, Momentum: Set(2.0)}, tensor.Float64, 2, 3), "Momentum=2 is outside [0, 1]")
}

// affine=False, track_running_stats=False (batch statistics in eval mode too) and momentum=None
// against PyTorch, in train and eval mode; every case's backward by finite differences.
func TestBatchNormOptionsGolden(t *testing.T) { runGoldenFile(t, "batchnorm_options.json") }

func TestBatchNormOptionsGradCheck(t *testing.T) { gradCheckGoldenFile(t, "batchnorm_options.json") }
