package ops_test

import (
	"fmt"
	"log"
	"math"

	"github.com/stheno-ml/stheno/ops"
	"github.com/stheno-ml/stheno/solvers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The notes' worked example: three classes, probabilities [0.2, 0.7, 0.1]
// (fed as logits log p, so that softmax gives them back), true class the
// second: CE = -log 0.7.
func ExampleCrossEntropy() {
	g := G.NewGraph()
	logits := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("logits"),
		G.WithValue(tensor.New(tensor.WithBacking([]float64{math.Log(0.2), math.Log(0.7), math.Log(0.1)}))))
	target := G.NewScalar(g, tensor.Int, G.WithName("target"), G.WithValue(1)) // unbatched: a scalar class index
	loss, err := ops.CrossEntropy(logits, target)
	if err != nil {
		log.Fatal(err)
	}
	run(g)
	fmt.Printf("CE = %.4f (-log 0.7 = %.4f)\n", loss.Value().Data(), -math.Log(0.7))
	// Output:
	// CE = 0.3567 (-log 0.7 = 0.3567)
}

// The notes' NLL example: log-probabilities [-1.61, -0.3567, -2.30], true
// class the second: NLL = 0.3567.
func ExampleNLL() {
	g := G.NewGraph()
	logp := G.NewMatrix(g, tensor.Float64, G.WithShape(1, 3), G.WithName("logp"),
		G.WithValue(tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{-1.61, -0.3567, -2.30}))))
	target := G.NewVector(g, tensor.Int, G.WithShape(1), G.WithName("target"),
		G.WithValue(tensor.New(tensor.WithShape(1), tensor.WithBacking([]int{1}))))
	loss, err := ops.NLL(logp, target)
	if err != nil {
		log.Fatal(err)
	}
	run(g)
	fmt.Printf("NLL = %.4f\n", loss.Value().Data())
	// Output:
	// NLL = 0.3567
}

// CrossEntropy in a training-style graph: a linear classifier
// logits = x·W trained by gradient descent with gorgonia.Grad and the
// TapeMachine; the target is an Int vector of class indices.
func ExampleCrossEntropy_training() {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 2), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float64{
			1, 0,
			0, 1,
			-1, 0,
			0, -1,
		}))))
	y := G.NewVector(g, tensor.Int, G.WithShape(4), G.WithName("y"),
		G.WithValue(tensor.New(tensor.WithBacking([]int{0, 1, 2, 2}))))
	w := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("w"), G.WithInit(G.Zeroes()))
	logits := G.Must(G.Mul(x, w))
	loss, err := ops.CrossEntropy(logits, y)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := G.Grad(loss, w); err != nil {
		log.Fatal(err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(w))
	defer vm.Close()
	solver := G.NewVanillaSolver(G.WithLearnRate(1))
	for step := 0; step <= 50; step++ {
		if err := vm.RunAll(); err != nil {
			log.Fatal(err)
		}
		if step%25 == 0 {
			fmt.Printf("step %2d: loss %.4f\n", step, loss.Value().Data())
		}
		if err := solver.Step(G.NodesToValueGrads(G.Nodes{w})); err != nil {
			log.Fatal(err)
		}
		vm.Reset()
	}
	// Output:
	// step  0: loss 1.0986
	// step 25: loss 0.1266
	// step 50: loss 0.0683
}

// Softmax and LogSoftmax along the last axis (like dim=-1 in PyTorch),
// computed per row with the row's own max, so large logits are fine.
func ExampleSoftmax() {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 3), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{1, 2, 3, 1000, 1000, 1000}))))
	p := G.Must(ops.Softmax(x, -1))
	logp := G.Must(ops.LogSoftmax(x, -1))
	run(g)
	fmt.Printf("%.4f\n%.4f\n", p.Value().Data(), logp.Value().Data())
	// Output:
	// [0.0900 0.2447 0.6652 0.3333 0.3333 0.3333]
	// [-2.4076 -1.4076 -0.4076 -1.0986 -1.0986 -1.0986]
}

// BCEWithLogits with a pos_weight per column and PyTorch's default mean;
// logits of ±1e4 are no problem.
func ExampleBCEWithLogits() {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 2), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1e4, -1e4, 0, 2}))))
	y := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 2), G.WithName("y"),
		G.WithValue(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 0, 1, 0}))))
	pw := tensor.New(tensor.WithBacking([]float64{2, 1}))
	loss, err := ops.BCEWithLogits(x, y, ops.WithPosWeight(pw))
	if err != nil {
		log.Fatal(err)
	}
	run(g)
	// (0 + 0 + 2 log 2 + softplus(2)) / 4
	fmt.Printf("%.6f %.6f\n", loss.Value().Data(), (2*math.Log(2)+math.Log1p(math.Exp(2)))/4)
	// Output:
	// 0.878306 0.878306
}

// BCE on probabilities (after a sigmoid): -(y log p + (1-y) log(1-p)),
// averaged; a confident wrong answer (p = 0 for y = 1) costs 100, PyTorch's
// clamp of log at -100, instead of +Inf.
func ExampleBCE() {
	g := G.NewGraph()
	p := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("p"),
		G.WithValue(tensor.New(tensor.WithBacking([]float64{0.9, 0.2, 0}))))
	y := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("y"),
		G.WithValue(tensor.New(tensor.WithBacking([]float64{1, 0, 1}))))
	perElement, err := ops.BCE(p, y, ops.WithReduction(ops.None))
	if err != nil {
		log.Fatal(err)
	}
	run(g)
	fmt.Printf("%.4f (-log 0.9 = %.4f, -log 0.8 = %.4f)\n", perElement.Value().Data(), -math.Log(0.9), -math.Log(0.8))
	// Output:
	// [0.1054 0.2231 100.0000] (-log 0.9 = 0.1054, -log 0.8 = 0.2231)
}

// A regression with MSE and Stheno's Adam: fit y = w·x + b to eight points
// of the line y = 3x - 1 (gradients flow to w and b through MSE's input).
func ExampleMSE() {
	g := G.NewGraph()
	xs := []float64{-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5}
	ys := make([]float64, len(xs))
	for i, x := range xs {
		ys[i] = 3*x - 1
	}
	x := G.NewVector(g, tensor.Float64, G.WithShape(8), G.WithName("x"), G.WithValue(tensor.New(tensor.WithBacking(xs))))
	y := G.NewVector(g, tensor.Float64, G.WithShape(8), G.WithName("y"), G.WithValue(tensor.New(tensor.WithBacking(ys))))
	w := G.NewScalar(g, tensor.Float64, G.WithName("w"), G.WithValue(0.0))
	b := G.NewScalar(g, tensor.Float64, G.WithName("b"), G.WithValue(0.0))
	pred := G.Must(G.Add(G.Must(G.Mul(x, w)), b))
	loss, err := ops.MSE(pred, y)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := G.Grad(loss, w, b); err != nil {
		log.Fatal(err)
	}
	adam, err := solvers.NewAdam(solvers.WithLearnRate(0.1))
	if err != nil {
		log.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	for step := 0; step <= 300; step++ {
		if err := vm.RunAll(); err != nil {
			log.Fatal(err)
		}
		if step%100 == 0 {
			fmt.Printf("step %3d: loss %.6f\n", step, loss.Value().Data())
		}
		if err := adam.Step(G.NodesToValueGrads(G.Nodes{w, b})); err != nil {
			log.Fatal(err)
		}
		vm.Reset()
	}
	fmt.Printf("w = %.3f, b = %.3f\n", w.Value().Data(), b.Value().Data())
	// Output:
	// step   0: loss 14.875000
	// step 100: loss 0.000507
	// step 200: loss 0.000000
	// step 300: loss 0.000000
	// w = 3.000, b = -1.000
}

// KLDiv of q = [0.4, 0.4, 0.2] (given as log q) from p = [0.5, 0.3, 0.2]:
// Σ p log(p/q) = 0.5 log 1.25 + 0.3 log 0.75 + 0.2 log 1 ≈ 0.025267.
// BatchMean over a batch of one distribution is the divergence itself.
func ExampleKLDiv() {
	g := G.NewGraph()
	logq := G.NewMatrix(g, tensor.Float64, G.WithShape(1, 3), G.WithName("logq"),
		G.WithValue(tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{math.Log(0.4), math.Log(0.4), math.Log(0.2)}))))
	p := G.NewMatrix(g, tensor.Float64, G.WithShape(1, 3), G.WithName("p"),
		G.WithValue(tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{0.5, 0.3, 0.2}))))
	kl, err := ops.KLDiv(logq, p, ops.WithReduction(ops.BatchMean))
	if err != nil {
		log.Fatal(err)
	}
	run(g)
	byHand := 0.5*math.Log(0.5/0.4) + 0.3*math.Log(0.3/0.4) + 0.2*math.Log(1) // p = q for the third class
	fmt.Printf("KLDiv = %.6f, by hand %.6f\n", kl.Value().Data(), byHand)
	// Output:
	// KLDiv = 0.025267, by hand 0.025267
}

// L1, SmoothL1 and Huber on the errors d = x - y = [0.5, -3]: |d| sums to
// 3.5; SmoothL1 (β = 1) is 0.5·0.25 + (3 - 0.5) = 2.625; Huber (δ = 2) is
// 0.5·0.25 + 2·(3 - 1) = 4.125.
func ExampleSmoothL1() {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("x"), G.WithValue(tensor.New(tensor.WithBacking([]float64{1.5, -1}))))
	y := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("y"), G.WithValue(tensor.New(tensor.WithBacking([]float64{1, 2}))))
	l1 := G.Must(ops.L1(x, y, ops.WithReduction(ops.Sum)))
	smooth := G.Must(ops.SmoothL1(x, y, ops.WithReduction(ops.Sum)))
	huber := G.Must(ops.Huber(x, y, ops.WithReduction(ops.Sum), ops.WithDelta(2)))
	run(g)
	fmt.Println(l1.Value(), smooth.Value(), huber.Value())
	// Output:
	// 3.5 2.625 4.125
}

// GaussianNLL of targets [1, 3] under means [0, 0] and one variance 4
// shared along the last dimension (input (1, 2), variance (1, 1)): the
// mean of 0.5 (log 4 + d²/4) is 0.5 log 4 + 10/16.
func ExampleGaussianNLL() {
	g := G.NewGraph()
	mu := G.NewMatrix(g, tensor.Float64, G.WithShape(1, 2), G.WithName("mu"), G.WithValue(tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{0, 0}))))
	y := G.NewMatrix(g, tensor.Float64, G.WithShape(1, 2), G.WithName("y"), G.WithValue(tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{1, 3}))))
	v := G.NewMatrix(g, tensor.Float64, G.WithShape(1, 1), G.WithName("var"), G.WithValue(tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float64{4}))))
	loss, err := ops.GaussianNLL(mu, y, v)
	if err != nil {
		log.Fatal(err)
	}
	run(g)
	fmt.Printf("%.6f %.6f\n", loss.Value().Data(), 0.5*math.Log(4)+10.0/16)
	// Output:
	// 1.318147 1.318147
}

// PoissonNLL of counts [0, 2] at log-rates [0, log 2]:
// mean of exp(x) - y·x = (1 + 2 - 2 log 2) / 2.
func ExamplePoissonNLL() {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("logRate"), G.WithValue(tensor.New(tensor.WithBacking([]float64{0, math.Log(2)}))))
	y := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("counts"), G.WithValue(tensor.New(tensor.WithBacking([]float64{0, 2}))))
	loss, err := ops.PoissonNLL(x, y)
	if err != nil {
		log.Fatal(err)
	}
	run(g)
	fmt.Printf("%.6f %.6f\n", loss.Value().Data(), (3-2*math.Log(2))/2)
	// Output:
	// 0.806853 0.806853
}

// run runs g's forward pass once on a TapeMachine, as every example above does
// before it prints: G.NewTapeMachine(g), vm.RunAll() and vm.Close().
func run(g *G.ExprGraph) {
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		log.Fatal(err)
	}
}
