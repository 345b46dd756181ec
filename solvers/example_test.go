package solvers_test

import (
	"bytes"
	"fmt"

	"github.com/stheno-ml/stheno/solvers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// fitLine trains y = w·x on a plain Gorgonia graph with the given solver
// and returns w after steps steps.
func fitLine(s G.Solver, steps int) float64 {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithBacking([]float64{1, 2, 3, 4}))))
	y := G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("y"),
		G.WithValue(tensor.New(tensor.WithBacking([]float64{3, 6, 9, 12}))))
	w := G.NewScalar(g, tensor.Float64, G.WithName("w"), G.WithValue(0.0))
	loss := G.Must(G.Mean(G.Must(G.Square(G.Must(G.Sub(G.Must(G.Mul(x, w)), y))))))
	if _, err := G.Grad(loss, w); err != nil {
		panic(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	for i := 0; i < steps; i++ {
		if err := vm.RunAll(); err != nil {
			panic(err)
		}
		if err := s.Step(G.NodesToValueGrads(G.Nodes{w})); err != nil {
			panic(err)
		}
		vm.Reset()
	}
	return w.Value().Data().(float64)
}

func ExampleNewSGD() {
	sgd, err := solvers.NewSGD(solvers.WithLearnRate(0.01), solvers.WithMomentum(0.9))
	if err != nil {
		panic(err)
	}
	fmt.Printf("w = %.4f\n", fitLine(sgd, 400))
	// Output: w = 3.0000
}

func ExampleNewAdam() {
	adam, err := solvers.NewAdam(solvers.WithLearnRate(0.1))
	if err != nil {
		panic(err)
	}
	fmt.Printf("w = %.3f\n", fitLine(adam, 300))
	// Output: w = 3.000
}

func ExampleNewAdamW() {
	// Decoupled weight decay pulls w below the least-squares 3.
	adamw, err := solvers.NewAdamW(solvers.WithLearnRate(0.1), solvers.WithWeightDecay(0.01))
	if err != nil {
		panic(err)
	}
	fmt.Printf("w = %.3f\n", fitLine(adamw, 300))
	// Output: w = 2.984
}

func ExampleWithSchedule() {
	// Linear warmup over 5 steps from 0.1·lr, then cosine annealing to 0 over 95.
	sched := solvers.Sequential([]solvers.Schedule{
		solvers.LinearWarmup(0.1, 5),
		solvers.CosineAnnealingLR(95, 0),
	}, []int{5})
	for _, k := range []int{0, 5, 52, 100} {
		fmt.Printf("step %3d: lr %.4f\n", k, sched.LR(0.1, k))
	}
	// Output:
	// step   0: lr 0.0100
	// step   5: lr 0.1000
	// step  52: lr 0.0508
	// step 100: lr 0.0000
}

func ExampleWithGroup() {
	// No weight decay on parameters whose name starts with "b" (biases).
	isBias := func(name string) bool { return len(name) > 0 && name[0] == 'b' }
	_, err := solvers.NewAdamW(solvers.WithLearnRate(1e-3),
		solvers.WithGroup(isBias, solvers.WithWeightDecay(0)))
	fmt.Println(err)
	// Output: <nil>
}

func ExampleSGD_SaveState() {
	sgd, _ := solvers.NewSGD(solvers.WithLearnRate(0.01), solvers.WithMomentum(0.9))
	fitLine(sgd, 10)
	var buf bytes.Buffer // in practice a file, written atomically
	if err := sgd.SaveState(&buf); err != nil {
		panic(err)
	}
	resumed, _ := solvers.NewSGD(solvers.WithLearnRate(0.01), solvers.WithMomentum(0.9))
	if err := resumed.LoadState(&buf); err != nil {
		panic(err)
	}
	fmt.Println("steps:", resumed.Steps())
	// Output: steps: 10
}

func ExampleNewRMSProp() {
	rms, err := solvers.NewRMSProp(solvers.WithLearnRate(0.01), solvers.WithCentered(true))
	if err != nil {
		panic(err)
	}
	fmt.Printf("w = %.2f\n", fitLine(rms, 1000))
	// Output: w = 3.00
}

func ExampleNewAdagrad() {
	ada, err := solvers.NewAdagrad(solvers.WithLearnRate(0.5))
	if err != nil {
		panic(err)
	}
	fmt.Printf("w = %.3f\n", fitLine(ada, 500))
	// Output: w = 3.000
}

func ExampleNewSGD_invalidOption() {
	_, err := solvers.NewSGD(solvers.WithLearnRate(0.1), solvers.WithBetas(0.9, 0.999))
	fmt.Println(err)
	// Output: solvers: WithBetas does not apply to SGD
}
