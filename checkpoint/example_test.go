package checkpoint_test

import (
	"fmt"
	"log"
	"os"

	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/checkpoint"
	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/models"
	"github.com/stheno-ml/stheno/solvers"
)

// A training loop saves a generation at the end of every epoch and, when started again,
// continues from the newest intact one.
func Example() {
	dir, _ := os.MkdirTemp("", "run")
	defer os.RemoveAll(dir)

	type runState struct {
		Epoch int `json:"epoch"`
	}
	newRun := func() (*graph.Store, solvers.Solver) {
		store := graph.NewStore(tensor.Float32, 1)
		if _, err := graph.NewEvaluator(models.MLP(4, []int{8}, 2, nil), store, tensor.Shape{1, 4}); err != nil {
			log.Fatal(err)
		}
		solver, err := solvers.NewAdamW(solvers.WithLearnRate(1e-3))
		if err != nil {
			log.Fatal(err)
		}
		return store, solver
	}

	mgr, err := checkpoint.New(dir) // keeps the last 2 generations
	if err != nil {
		log.Fatal(err)
	}
	store, solver := newRun()
	for epoch := 1; epoch <= 3; epoch++ {
		// ... train one epoch ...
		if _, err := mgr.SaveTraining(store, solver, runState{Epoch: epoch}); err != nil {
			log.Fatal(err)
		}
	}

	// Later, perhaps after a crash: restore into a freshly built model and solver.
	store2, solver2 := newRun()
	g, err := mgr.Restore(store2, solver2)
	if err != nil {
		log.Fatal(err)
	}
	var st runState
	if err := g.DecodeMeta(&st); err != nil {
		log.Fatal(err)
	}
	for _, w := range g.Warnings {
		fmt.Println("warning:", w)
	}
	fmt.Printf("resuming after epoch %d from generation %d (%d files)\n", st.Epoch, g.Seq, len(g.Files))
	// Output:
	// resuming after epoch 3 from generation 3 (2 files)
}
