package docs

// The Go blocks of docs/graphs.md, docs/losses.md and docs/solvers.md, in tests that run them
// (TestSnippets checks that each block appears here, or in another test, line for line).

import (
	"fmt"
	"log"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/layers"
	"github.com/stheno-ml/stheno/models"
	"github.com/stheno-ml/stheno/ops"
	"github.com/stheno-ml/stheno/solvers"
)

// paramShapes builds m in eval mode for input shape in and returns "name shape" per tensor.
func paramShapes(t *testing.T, m graph.Module, in tensor.Shape) string {
	t.Helper()
	s := graph.NewStore(tensor.Float32, 1)
	ev, err := graph.NewEvaluator(m, s, in)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	var out []string
	for _, n := range s.Names() {
		v, _ := s.Get(n)
		out = append(out, fmt.Sprintf("%s %v", n, v.Shape()))
	}
	return strings.Join(out, ", ")
}

// graphs.md, "Defining a model".
func TestGraphsDefiningAModel(t *testing.T) {
	mlp := models.MLP(784, []int{128}, 10, layers.ReLU{})
	// = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
	// params "0.weight" (128, 784), "0.bias" (128), "2.weight" (10, 128), "2.bias" (10)

	cnn := models.CNN(models.MNISTCNN)
	// = nn.Sequential(Conv2d(1,32,3,padding=1), ReLU, MaxPool2d(2), Conv2d(32,64,3,padding=1), ReLU,
	//                 MaxPool2d(2), Flatten, Linear(3136,128), ReLU, Dropout(0.5), Linear(128,10))

	if got, want := paramShapes(t, mlp, tensor.Shape{2, 784}), "0.weight (128, 784), 0.bias (128), 2.weight (10, 128), 2.bias (10)"; got != want {
		t.Errorf("MLP tensors %s, want %s", got, want)
	}
	want := "0.weight (32, 1, 3, 3), 0.bias (32), 3.weight (64, 32, 3, 3), 3.bias (64), 7.weight (128, 3136), 7.bias (128), 10.weight (10, 128), 10.bias (10)"
	if got := paramShapes(t, cnn, tensor.Shape{2, 1, 28, 28}); got != want {
		t.Errorf("CNN tensors %s, want %s", got, want)
	}
}

// graphs.md, "Mixing layers with hand-written Gorgonia nodes".

// Scale multiplies its input by a learnable per-feature scale, then applies Gorgonia's own tanh.
type Scale struct{ Features int }

func (s Scale) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	w, err := b.Param("weight", tensor.Shape{s.Features}, graph.Constant(1))
	if err != nil {
		return nil, err
	}
	y, err := gorgonia.BroadcastHadamardProd(x, w, nil, []byte{0})
	if err != nil {
		return nil, err
	}
	return gorgonia.Tanh(y)
}

func TestGraphsMixing(t *testing.T) {
	model := layers.Sequential{layers.Linear{In: 784, Out: 64}, Scale{Features: 64}, layers.Linear{In: 64, Out: 10}}
	// parameters: "0.weight", "0.bias", "1.weight", "2.weight", "2.bias"

	want := "0.weight (64, 784), 0.bias (64), 1.weight (64), 2.weight (10, 64), 2.bias (10)"
	if got := paramShapes(t, model, tensor.Shape{3, 784}); got != want {
		t.Errorf("tensors %s, want %s", got, want)
	}
	// Scale alone: tanh(w*x) with w set to 2
	s2 := graph.NewStore(tensor.Float64, 1)
	ev2, err := graph.NewEvaluator(Scale{Features: 3}, s2, tensor.Shape{1, 3})
	if err != nil {
		t.Fatal(err)
	}
	defer ev2.Close()
	if err := s2.Set("weight", tensor.New(tensor.WithBacking([]float64{2, 2, 2}))); err != nil {
		t.Fatal(err)
	}
	out, err := ev2.Forward(tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{-1, 0, 0.5})))
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range []float64{-1, 0, 0.5} {
		if got := out.Data().([]float64)[i]; math.Abs(got-math.Tanh(2*x)) > 1e-15 {
			t.Errorf("Scale(%g) = %g, want %g", x, got, math.Tanh(2*x))
		}
	}
}

// graphs.md: a Stheno layer inside a plain Gorgonia program; b.Learnables() are its parameters.
func TestGraphsLayerInGorgonia(t *testing.T) {
	g := gorgonia.NewGraph()
	x := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(4, 3), gorgonia.WithName("x"), gorgonia.WithInit(gorgonia.Ones()))
	b := graph.NewBuilder(g, graph.NewStore(tensor.Float64, 1), true)
	y, err := layers.Linear{In: 3, Out: 2}.Forward(b, x)
	if err != nil {
		log.Fatal(err)
	}
	loss := gorgonia.Must(gorgonia.Mean(gorgonia.Must(gorgonia.Square(y))))
	if _, err := gorgonia.Grad(loss, b.Learnables()...); err != nil {
		log.Fatal(err)
	}
	var names []string
	for _, n := range b.Learnables() {
		names = append(names, n.Name())
	}
	if fmt.Sprint(names) != "[weight bias]" {
		t.Errorf("learnables %v, want [weight bias]", names)
	}
}

// linearData is a 3-class problem for a linear classifier: x (6, 2) and labels y (6).
func linearData(g *gorgonia.ExprGraph) (x, y, w *gorgonia.Node) {
	xs := []float64{2, 0, 1.5, 0.5, 0, 2, 0.5, 1.5, -2, -2, -1.5, -2.5}
	x = gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(6, 2), gorgonia.WithName("x"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(6, 2), tensor.WithBacking(xs))))
	y = gorgonia.NewVector(g, tensor.Int, gorgonia.WithShape(6), gorgonia.WithName("y"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(6), tensor.WithBacking([]int{0, 0, 1, 1, 2, 2}))))
	w = gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 3), gorgonia.WithName("w"), gorgonia.WithInit(gorgonia.Zeroes()))
	return x, y, w
}

// losses.md: CrossEntropy in a Gorgonia program.
func TestLossesSnippet(t *testing.T) {
	g := gorgonia.NewGraph()
	x, y, w := linearData(g)

	logits := gorgonia.Must(gorgonia.Mul(x, w)) // (N, C)
	loss, err := ops.CrossEntropy(logits, y)    // y: tensor.Int node of shape (N)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := gorgonia.Grad(loss, w); err != nil {
		log.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g) // the derivative nodes hold the gradients: no BindDualValues
	defer vm.Close()

	sgd, err := solvers.NewSGD(solvers.WithLearnRate(0.5))
	if err != nil {
		t.Fatal(err)
	}
	var first, last float64
	for i := 0; i < 50; i++ {
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		last = loss.Value().Data().(float64)
		if i == 0 {
			first = last
		}
		if err := sgd.Step(gorgonia.NodesToValueGrads(gorgonia.Nodes{w})); err != nil {
			t.Fatal(err)
		}
		vm.Reset()
	}
	if math.Abs(first-math.Log(3)) > 1e-12 || last > 0.1 {
		t.Errorf("loss %v → %v, want log 3 → below 0.1", first, last)
	}
}

// solvers.md, "Parameter groups": no weight decay on "bias".
func TestSolversParamGroups(t *testing.T) {
	noDecay := func(name string) bool { return strings.HasPrefix(name, "b") || strings.Contains(name, "norm") }
	opt, err := solvers.NewAdamW(solvers.WithLearnRate(1e-3), solvers.WithWeightDecay(0.05),
		solvers.WithGroup(noDecay, solvers.WithWeightDecay(0)))
	if err != nil {
		log.Fatal(err)
	}

	// With zero gradients, AdamW only decays: w shrinks by lr·λ, the bias does not.
	g := gorgonia.NewGraph()
	w := gorgonia.NewVector(g, tensor.Float64, gorgonia.WithShape(2), gorgonia.WithName("w"), gorgonia.WithInit(gorgonia.Ones()))
	bias := gorgonia.NewVector(g, tensor.Float64, gorgonia.WithShape(2), gorgonia.WithName("bias"), gorgonia.WithInit(gorgonia.Ones()))
	loss := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(gorgonia.Must(gorgonia.Add(w, bias)), gorgonia.NewConstant(0.0)))))
	if _, err := gorgonia.Grad(loss, w, bias); err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	if err := opt.Step(gorgonia.NodesToValueGrads(gorgonia.Nodes{w, bias})); err != nil {
		t.Fatal(err)
	}
	if got := w.Value().Data().([]float64)[0]; math.Abs(got-(1-1e-3*0.05)) > 1e-15 {
		t.Errorf("w = %v, want 1 − lr·λ", got)
	}
	if got := bias.Value().Data().([]float64)[0]; got != 1 {
		t.Errorf("bias = %v, want 1 (no decay)", got)
	}
}

// solvers.md, "Replace Gorgonia's solver in your project": before and after on the same model.
func TestSolversReplace(t *testing.T) {
	const steps = 100
	train := func(useStheno bool) float64 {
		g := gorgonia.NewGraph()
		x, y, w := linearData(g)
		loss, err := ops.CrossEntropy(gorgonia.Must(gorgonia.Mul(x, w)), y)
		if err != nil {
			t.Fatal(err)
		}
		learnables := gorgonia.Nodes{w}
		if _, err := gorgonia.Grad(loss, learnables...); err != nil {
			t.Fatal(err)
		}
		var s gorgonia.Solver
		if !useStheno {
			solver := gorgonia.NewAdamSolver(gorgonia.WithLearnRate(1e-3))
			s = solver
			vm := gorgonia.NewTapeMachine(g)
			defer vm.Close()
			for i := 0; i < steps; i++ {
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				if err := s.Step(gorgonia.NodesToValueGrads(learnables)); err != nil {
					t.Fatal(err)
				}
				vm.Reset()
			}
			return loss.Value().Data().(float64)
		}

		solver, err := solvers.NewAdam(solvers.WithLearnRate(1e-3))
		if err != nil {
			log.Fatal(err)
		}
		vm := gorgonia.NewTapeMachine(g)
		for i := 0; i < steps; i++ {
			if err := vm.RunAll(); err != nil {
				log.Fatal(err)
			}
			if err := solver.Step(gorgonia.NodesToValueGrads(learnables)); err != nil {
				log.Fatal(err)
			}
			vm.Reset()
		}

		defer vm.Close()
		return loss.Value().Data().(float64)
	}
	before, after := train(false), train(true)
	t.Logf("loss after %d Adam steps: Gorgonia %.6f, Stheno %.6f", steps, before, after)
	if !(after < math.Log(3)-0.05) || math.Abs(before-after) > 1e-3 {
		t.Errorf("loss after %d steps: Gorgonia %v, Stheno %v; want both below log 3 and close", steps, before, after)
	}
}

// solvers.md: a run with a schedule, clipping and a saved and restored solver state.
func TestSolversScheduleCheckpoint(t *testing.T) {
	const epochs, batchesPerEpoch = 3, 4
	dir := t.TempDir()
	g := gorgonia.NewGraph()
	x, y, w := linearData(g)
	loss, err := ops.CrossEntropy(gorgonia.Must(gorgonia.Mul(x, w)), y)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gorgonia.Grad(loss, w); err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g)
	defer vm.Close()
	train := func(s gorgonia.Solver, steps int) {
		for i := 0; i < steps; i++ {
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			if err := s.Step(gorgonia.NodesToValueGrads(gorgonia.Nodes{w})); err != nil {
				t.Fatal(err)
			}
			vm.Reset()
		}
	}
	var saved, restored *solvers.AdamW
	{ // the first process
		sched := solvers.PerEpoch(solvers.Sequential([]solvers.Schedule{
			solvers.LinearWarmup(0.1, 1), solvers.CosineAnnealingLR(epochs-1, 0),
		}, []int{1}), batchesPerEpoch)
		opt, err := solvers.NewAdamW(solvers.WithLearnRate(1e-3), solvers.WithSchedule(sched),
			solvers.WithClipGradNorm(1))
		if err != nil {
			log.Fatal(err)
		}
		train(opt, batchesPerEpoch+1) // train
		if err := solvers.SaveStateFile(opt, filepath.Join(dir, "solver.state")); err != nil {
			log.Fatal(err)
		}
		saved = opt
	}
	{ // the second process
		sched := solvers.PerEpoch(solvers.Sequential([]solvers.Schedule{
			solvers.LinearWarmup(0.1, 1), solvers.CosineAnnealingLR(epochs-1, 0),
		}, []int{1}), batchesPerEpoch)
		opt, err := solvers.NewAdamW(solvers.WithLearnRate(1e-3), solvers.WithSchedule(sched),
			solvers.WithClipGradNorm(1))
		if err != nil {
			log.Fatal(err)
		}
		// later, in a fresh process, after building the same graph and solver:
		if err := solvers.LoadStateFile(opt, filepath.Join(dir, "solver.state")); err != nil {
			log.Fatal(err)
		}
		restored = opt
	}
	// Both are at step 5, in epoch 1: the warmup epoch is over and the cosine starts at the base
	// rate, to reach 0 after epochs−1 more epochs.
	want := 1e-3
	for _, o := range []*solvers.AdamW{saved, restored} {
		if a := o.ScheduledLR(); math.Abs(a-want) > 1e-15 {
			t.Errorf("scheduled rate %v after %d steps, want %v", a, batchesPerEpoch+1, want)
		}
	}
	var buf1, buf2 strings.Builder
	if err := saved.SaveState(&buf1); err != nil {
		t.Fatal(err)
	}
	if err := restored.SaveState(&buf2); err != nil {
		t.Fatal(err)
	}
	if buf1.String() != buf2.String() {
		t.Error("the restored solver's state differs from the saved one")
	}
}
