package layers

import (
	"math"
	"testing"

	"github.com/stheno-ml/stheno/graph"
	"gorgonia.org/tensor"
)

func TestActivationGolden(t *testing.T) { runGoldenFile(t, "activation.json") }

func TestActivationGradCheck(t *testing.T) {
	for _, c := range []struct {
		name string
		m    graph.Module
	}{{"ReLU", ReLU{}}, {"LeakyReLU", LeakyReLU{Slope: Set(0.2)}}, {"Tanh", Tanh{}}, {"Sigmoid", Sigmoid{}}, {"GELU", GELU{}}} {
		t.Run(c.name, func(t *testing.T) { gradCheck(t, c.m, true, tensor.Shape{3, 7}, 5) })
	}
}

func TestSigmoidExtremes(t *testing.T) {
	x := []float64{-1000, -50, 0, 50, 1000}
	y := make([]float64, len(x))
	actForward(actSigmoid, 0, y, x)
	want := []float64{0, 1.928749847963918e-22, 0.5, 1, 1}
	for i := range x {
		if math.Abs(y[i]-want[i]) > 1e-30+1e-15*want[i] {
			t.Errorf("sigmoid(%v) = %v, want %v", x[i], y[i], want[i])
		}
	}
}

func TestActivationDtypeError(t *testing.T) {
	wantErr(t, buildErr(GELU{}, tensor.Float32, 2, 3), "GELU: input has dtype float32")
}

// GELU(approximate='tanh' and 'none') and Flatten(start_dim, end_dim) against PyTorch; every
// case's backward by finite differences.
func TestActivationOptionsGolden(t *testing.T) { runGoldenFile(t, "activation_options.json") }

func TestActivationOptionsGradCheck(t *testing.T) {
	gradCheckGoldenFile(t, "activation_options.json")
}

func TestActivationOptionErrors(t *testing.T) {
	wantErr(t, buildErr(GELU{Approximate: "erf"}, tensor.Float64, 2, 3), `GELU: Approximate="erf"`)
	wantErr(t, buildErr(Flatten{StartDim: Set(2), EndDim: Set(1)}, tensor.Float64, 2, 3, 4), "do not name dimensions")
	wantErr(t, buildErr(Flatten{StartDim: Set(-4)}, tensor.Float64, 2, 3, 4), "do not name dimensions")
}
