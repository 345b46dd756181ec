package solvers_test

import (
	"fmt"

	"github.com/stheno-ml/stheno/solvers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func ExampleNewAdadelta() {
	// torch.optim.Adadelta(params, lr=1.0): Adadelta needs no tuned rate
	// but starts slowly (its steps grow from sqrt(eps)).
	ada, err := solvers.NewAdadelta(solvers.WithLearnRate(1))
	if err != nil {
		panic(err)
	}
	fmt.Printf("w = %.3f\n", fitLine(ada, 3000))
	// Output: w = 3.000
}

func ExampleNewAdamax() {
	adamax, err := solvers.NewAdamax(solvers.WithLearnRate(0.1))
	if err != nil {
		panic(err)
	}
	fmt.Printf("w = %.3f\n", fitLine(adamax, 300))
	// Output: w = 3.000
}

func ExampleNewNAdam() {
	nadam, err := solvers.NewNAdam(solvers.WithLearnRate(0.1))
	if err != nil {
		panic(err)
	}
	fmt.Printf("w = %.3f\n", fitLine(nadam, 300))
	// Output: w = 3.000
}

func ExampleNewRAdam() {
	radam, err := solvers.NewRAdam(solvers.WithLearnRate(0.1))
	if err != nil {
		panic(err)
	}
	fmt.Printf("w = %.3f\n", fitLine(radam, 300))
	// Output: w = 3.000
}

// A plain Gorgonia program (Gorgonia's iris example in small) trained
// without a list of its learnables: gorgonia.Grad gets them from
// Learnables, and a Stepper runs the machine, steps and resets.
func ExampleNewStepper() {
	g := G.NewGraph()
	x := G.NodeFromAny(g, tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float64{1, 0, 0, 1, 1, 1, 2, 1})), G.WithName("x"))
	y := G.NodeFromAny(g, tensor.New(tensor.WithShape(4), tensor.WithBacking([]float64{2, -1, 1, 3})), G.WithName("y"))
	theta := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("theta"), G.WithInit(G.Zeroes()))
	cost := G.Must(G.Mean(G.Must(G.Square(G.Must(G.Sub(G.Must(G.Mul(x, theta)), y))))))

	learn, err := solvers.Learnables(g, solvers.Inputs(x, y))
	if err != nil {
		panic(err)
	}
	if _, err := G.Grad(cost, learn...); err != nil {
		panic(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	adam, err := solvers.NewAdam(solvers.WithLearnRate(0.1))
	if err != nil {
		panic(err)
	}
	st, err := solvers.NewStepper(g, vm, adam)
	if err != nil {
		panic(err)
	}
	var loss float64
	for i := 0; i < 500; i++ {
		if loss, err = st.StepLoss(cost); err != nil {
			panic(err)
		}
	}
	fmt.Println("learnables:", st.Learnables())
	fmt.Printf("theta = %.3f, loss %.4f\n", theta.Value().Data(), loss)
	// Output:
	// learnables: [theta]
	// theta = [2.000 -1.000], loss 0.0000
}

// Fine-tuning a subset on a LispMachine: the frozen bias keeps its value
// while the weights fit y = x·w + b.
func ExampleFreeze() {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("x"), G.WithValue(tensor.New(tensor.WithBacking([]float64{1, 2, 3}))))
	y := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("y"), G.WithValue(tensor.New(tensor.WithBacking([]float64{3, 5, 7}))))
	w := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("w"), G.WithInit(G.Zeroes()))
	b := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("b"), G.WithInit(G.Ones()))
	G.Must(G.Sum(G.Must(G.Square(G.Must(G.Sub(G.Must(G.Add(G.Must(G.HadamardProd(x, w)), b)), y))))))
	vm := G.NewLispMachine(g) // no gorgonia.Grad: the data must be declared
	sgd, err := solvers.NewSGD(solvers.WithLearnRate(0.02))
	if err != nil {
		panic(err)
	}
	st, err := solvers.NewStepper(g, vm, sgd, solvers.Inputs(x, y), solvers.Freeze(b))
	if err != nil {
		panic(err)
	}
	for i := 0; i < 500; i++ {
		if err := st.Step(); err != nil {
			panic(err)
		}
	}
	fmt.Println("learnables:", st.Learnables())
	fmt.Printf("w = %.3f, b = %v\n", w.Value().Data(), b.Value().Data())
	// Output:
	// learnables: [w]
	// w = [2.000 2.000 2.000], b = [1 1 1]
}

func ExampleOneCycleLR() {
	// The rates torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1,
	// total_steps=10, cycle_momentum=False) gives.
	s := solvers.OneCycleLR{MaxLR: 0.1, TotalSteps: 10, PctStart: 0.3}
	for k := 0; k < 10; k++ {
		fmt.Printf("%.5f ", s.LR(0, k))
	}
	fmt.Println()
	// Output: 0.00400 0.05200 0.10000 0.09505 0.08117 0.06113 0.03887 0.01883 0.00495 0.00000
}

func ExampleReduceLROnPlateau() {
	plateau := solvers.NewReduceLROnPlateau()
	plateau.Patience, plateau.Factor = 1, 0.5
	sgd, err := solvers.NewSGD(solvers.WithLearnRate(0.1), solvers.WithSchedule(plateau))
	if err != nil {
		panic(err)
	}
	for _, testLoss := range []float64{1.0, 0.8, 0.8, 0.8, 0.5, 0.5, 0.5} {
		// ... an epoch of sgd.Step calls ...
		plateau.Step(testLoss)
		fmt.Printf("%.3f ", sgd.ScheduledLR())
	}
	fmt.Println()
	// Output: 0.100 0.100 0.100 0.050 0.050 0.050 0.025
}

func ExampleChained() {
	// Exponential decay with a drop by 10 at step 3 (torch's
	// ChainedScheduler([ExponentialLR(opt, 0.9), MultiStepLR(opt, [3], 0.1)])).
	s := solvers.Chained(solvers.ExponentialLR(0.9), solvers.MultiStepLR([]int{3}, 0.1))
	for k := 0; k < 5; k++ {
		fmt.Printf("%.5f ", s.LR(1, k))
	}
	fmt.Println()
	// Output: 1.00000 0.90000 0.81000 0.07290 0.06561
}
