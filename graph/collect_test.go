package graph

import (
	"runtime"
	"testing"
	"time"
	"weak"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestProgramsAreCollected is issue 8, defect 16: a Read into a field of the Trainer or
// Evaluator made a cycle through Gorgonia's TapeMachine, which has a finalizer, so no program
// (with all its activations) was ever freed: `go test ./cmd/demo` grew to 3 GB. Programs that
// are closed and dropped must now be garbage collected, and so must ones never closed.
func TestProgramsAreCollected(t *testing.T) {
	s := NewStore(tensor.Float64, 1)
	m := seq{lin{2, 3}, tanh{}, lin{3, 1}}
	var evs []weak.Pointer[Evaluator]
	var trs []weak.Pointer[Trainer]
	for i := 0; i < 3; i++ {
		ev, err := NewEvaluator(m, s, tensor.Shape{5, 2})
		if err != nil {
			t.Fatal(err)
		}
		tr, err := NewTrainer(m, s, tensor.Shape{3, 2}, tensor.Float64, tensor.Shape{3, 1}, mse,
			gorgonia.NewVanillaSolver(gorgonia.WithLearnRate(0.1)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ev.Forward(dense64(tensor.Shape{5, 2}, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)); err != nil {
			t.Fatal(err)
		}
		if _, err := tr.Step(dense64(tensor.Shape{3, 2}, 1, 2, -1, 0.5, 0, 3), dense64(tensor.Shape{3, 1}, 1, -2, 0.5)); err != nil {
			t.Fatal(err)
		}
		if i < 2 { // the last pair is dropped without Close
			ev.Close()
			tr.Close()
		}
		evs, trs = append(evs, weak.Make(ev)), append(trs, weak.Make(tr))
	}
	// Finalizers run on their own goroutine between collections.
	for i := 0; i < 5; i++ {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	for i := range evs {
		if evs[i].Value() != nil || trs[i].Value() != nil {
			t.Errorf("program %d is still alive after it was dropped (evaluator %v, trainer %v)", i, evs[i].Value() != nil, trs[i].Value() != nil)
		}
	}
}
