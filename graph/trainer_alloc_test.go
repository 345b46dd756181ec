package graph

import (
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

type nopSolver struct{}

func (nopSolver) Step([]gorgonia.ValueGrad) error { return nil }

// TestStepOverheadAllocs checks Trainer.Step allocates nothing beyond the TapeMachine's own run.
func TestStepOverheadAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's instrumentation allocates")
	}
	s := NewStore(tensor.Float64, 1)
	tr, err := NewTrainer(lin{2, 1}, s, tensor.Shape{3, 2}, tensor.Float64, tensor.Shape{3, 1}, mse, nopSolver{})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	x := dense64(tensor.Shape{3, 2}, 1, 2, -1, 0.5, 0, 3)
	y := dense64(tensor.Shape{3, 1}, 1, -2, 0.5)
	if _, err := tr.Step(x, y); err != nil {
		t.Fatal(err)
	}
	step := testing.AllocsPerRun(50, func() {
		if _, err := tr.Step(x, y); err != nil {
			t.Fatal(err)
		}
	})
	run := testing.AllocsPerRun(50, func() {
		if err := tr.vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		tr.vm.Reset()
	})
	if step > run {
		t.Errorf("Step allocates %v per call, the bare RunAll+Reset %v", step, run)
	}
}
