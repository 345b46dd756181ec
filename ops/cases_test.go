package ops

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stheno-ml/stheno/internal/golden"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// lossGraph is a graph computing one golden case: the loss node, and a
// scalar cost sum(loss * gout) whose gradients with respect to the nodes
// in wrt are the case's grads.
type lossGraph struct {
	g          *G.ExprGraph
	x, t, loss *G.Node
	cost       *G.Node
	xv, tv, vv G.Value
	wrt        G.Nodes        // the inputs whose gradients the case holds
	grads      [][]golden.Num // their expected gradients
	inputs     []G.Value      // the loss op's input values
}

var indexDtypes = []tensor.Dtype{tensor.Int, tensor.Int64, tensor.Int32}

// classLosses are the golden files of the losses of package ops whose
// gradients flow to the input only; regLosses also differentiate the
// target (and GaussianNLL the variance).
var (
	classLosses  = []string{"crossentropy", "nll", "bce", "bcewithlogits", "softmax"}
	regLosses    = []string{"mse", "l1", "smoothl1", "huber", "kldiv", "gaussiannll", "poissonnll"}
	goldenLosses = append(slices.Clone(classLosses), regLosses...)
)

// buildCase builds the graph of case i of a golden file for loss.
// pairLosses are the losses of an input and a target, by their name in the goldens.
var pairLosses = map[string]func(x, t *G.Node, opts ...LossOpt) (*G.Node, error){
	"crossentropy":  CrossEntropy,
	"nll":           NLL,
	"bce":           BCE,
	"bcewithlogits": BCEWithLogits,
	"mse":           MSE,
	"l1":            L1,
	"smoothl1":      SmoothL1,
	"huber":         Huber,
	"kldiv":         KLDiv,
	"poissonnll":    PoissonNLL,
}

func buildCase(f *goldenFile, loss string, i int) (*lossGraph, error) {
	c := &f.Cases[i]
	dt := golden.Dtype(c.Dtype)
	lg := &lossGraph{g: G.NewGraph()}
	g := lg.g
	lg.xv = floatValue(dt, c.XShape, f.arr(c.X))
	lg.x = G.NodeFromAny(g, lg.xv, G.WithName("x"))
	var opts []LossOpt
	switch c.Reduction {
	case "sum":
		opts = append(opts, WithReduction(Sum))
	case "none":
		opts = append(opts, WithReduction(None))
	case "batchmean":
		opts = append(opts, WithReduction(BatchMean))
	case "mean":
		if i%2 == 0 { // the default, given explicitly every other case
			opts = append(opts, WithReduction(Mean))
		}
	}
	reg := slices.Contains(regLosses, loss)
	if !reg {
		if c.Weight >= 0 && loss != "softmax" {
			ws := c.WeightShape
			if ws == nil {
				ws = []int{len(f.Arrays[c.Weight])}
			}
			opts = append(opts, WithWeight(golden.Tensor(dt, ws, f.arr(c.Weight))))
		}
		if c.PosWeight >= 0 && loss == "bcewithlogits" {
			opts = append(opts, WithPosWeight(golden.Tensor(dt, []int{len(f.Arrays[c.PosWeight])}, f.arr(c.PosWeight))))
		}
		if c.Ignore != nil {
			opts = append(opts, WithIgnoreIndex(*c.Ignore))
		}
		if c.Smoothing > 0 {
			opts = append(opts, WithLabelSmoothing(c.Smoothing))
		}
	}
	if c.Beta != nil {
		opts = append(opts, WithBeta(*c.Beta))
	}
	if c.Delta != nil {
		opts = append(opts, WithDelta(*c.Delta))
	}
	if c.LogTarget {
		opts = append(opts, WithLogTarget(true))
	}
	if c.Full {
		opts = append(opts, WithFull(true))
	}
	if c.Eps != nil {
		opts = append(opts, WithEps(*c.Eps))
	}
	if c.LogInput != nil {
		opts = append(opts, WithLogInput(*c.LogInput))
	}
	lg.wrt, lg.grads = G.Nodes{lg.x}, [][]golden.Num{c.Grad}
	var err error
	if loss == "softmax" {
		if c.Log {
			lg.loss, err = LogSoftmax(lg.x, c.Axis)
		} else {
			lg.loss, err = Softmax(lg.x, c.Axis)
		}
		lg.inputs = []G.Value{lg.xv}
	} else {
		if c.TargetKind == "index" {
			lg.tv = indexTensor(indexDtypes[i%3], c.TargetShape, f.arr(c.Target))
		} else {
			lg.tv = floatValue(dt, c.TargetShape, f.arr(c.Target))
		}
		lg.t = G.NodeFromAny(g, lg.tv, G.WithName("target"))
		lg.inputs = []G.Value{lg.xv, lg.tv}
		if reg {
			lg.wrt, lg.grads = append(lg.wrt, lg.t), append(lg.grads, c.GradTarget)
		}
		if build, ok := pairLosses[loss]; ok {
			lg.loss, err = build(lg.x, lg.t, opts...)
		} else if loss == "gaussiannll" {
			lg.vv = floatValue(dt, c.VarShape, f.arr(*c.Var))
			v := G.NodeFromAny(g, lg.vv, G.WithName("var"))
			lg.wrt, lg.grads = append(lg.wrt, v), append(lg.grads, c.GradVar)
			lg.inputs = append(lg.inputs, lg.vv)
			lg.loss, err = GaussianNLL(lg.x, lg.t, v, opts...)
		} else {
			return nil, fmt.Errorf("unknown loss %q", loss)
		}
	}
	if err != nil {
		return nil, err
	}
	lg.cost = lg.loss
	if lg.loss.Shape().Dims() > 0 {
		gout := G.NodeFromAny(g, golden.Tensor(dt, c.OutShape, f.arr(c.Gout)), G.WithName("gout"))
		prod, err := G.HadamardProd(lg.loss, gout)
		if err != nil {
			return nil, err
		}
		if lg.cost, err = G.Sum(prod); err != nil {
			return nil, err
		}
	}
	return lg, nil
}

// floatValue makes a float tensor of dtype dt, or a scalar value for an
// empty shape.
func floatValue(dt tensor.Dtype, shape []int, v []float64) G.Value {
	switch {
	case len(shape) > 0:
		return golden.Tensor(dt, shape, v)
	case dt == tensor.Float32:
		return G.NewF32(float32(v[0]))
	}
	return G.NewF64(v[0])
}

func caseName(f *goldenFile, loss string, i int) string {
	c := &f.Cases[i]
	ign := "none"
	if c.Ignore != nil {
		ign = fmt.Sprint(*c.Ignore)
	}
	if slices.Contains(regLosses, loss) {
		opt := func(p *float64) string {
			if p == nil {
				return "-"
			}
			return fmt.Sprint(*p)
		}
		li := "-"
		if c.LogInput != nil {
			li = fmt.Sprint(*c.LogInput)
		}
		return fmt.Sprintf("%s/%d/%s/x%v/%s/beta=%s/delta=%s/log_target=%v/full=%v/eps=%s/log_input=%s/var%v", loss, i, c.Dtype, c.XShape,
			c.Reduction, opt(c.Beta), opt(c.Delta), c.LogTarget, c.Full, opt(c.Eps), li, c.VarShape)
	}
	return fmt.Sprintf("%s/%d/%s/x%v/%s/%s/w%v/pw%v/ign=%s/eps=%v/log=%v/axis=%d", loss, i, c.Dtype, c.XShape,
		c.TargetKind, c.Reduction, c.Weight >= 0, c.PosWeight >= 0, ign, c.Smoothing, c.Log, c.Axis)
}

// checkResult compares a run's loss and gradients with the case.
func checkResult(t *testing.T, name string, c *goldenCase, dt tensor.Dtype, loss G.Value, lg *lossGraph, grads []G.Value) {
	t.Helper()
	rtol, atol := golden.Tol(dt)
	if i := golden.Diff(valueFloats(loss), golden.Floats(c.Out), rtol, atol); i >= 0 {
		t.Errorf("%s: loss mismatch at %d:\n got %v\nwant %v", name, i, valueFloats(loss), golden.Floats(c.Out))
	}
	for k, want := range lg.grads {
		if want == nil {
			continue
		}
		if grads == nil || grads[k] == nil {
			t.Errorf("%s: no gradient of %v", name, lg.wrt[k])
			continue
		}
		if i := golden.Diff(valueFloats(grads[k]), golden.Floats(want), rtol, atol); i >= 0 {
			t.Errorf("%s: gradient of %v mismatch at %d:\n got %v\nwant %v", name, lg.wrt[k].Name(), i, valueFloats(grads[k]), golden.Floats(want))
		}
	}
}

// TestGoldenTape runs every golden case on a TapeMachine with
// gorgonia.Grad, twice (the second run reuses the ops' buffers).
func TestGoldenTape(t *testing.T) { goldenTape(t, goldenLosses) }

// TestGoldenVectorLevels runs the golden cases of the losses with float32
// vector kernels at every vector level this CPU has (AVX-512, AVX2, Go).
func TestGoldenVectorLevels(t *testing.T) {
	vecLevels(t, func(t *testing.T, _ string) { goldenTape(t, []string{"crossentropy", "softmax", "bcewithlogits"}) })
}

func goldenTape(t *testing.T, losses []string) {
	for _, loss := range losses {
		f := loadGolden(t, loss)
		for i := range f.Cases {
			name := caseName(f, loss, i)
			c := &f.Cases[i]
			lg, err := buildCase(f, loss, i)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var grads G.Nodes
			if c.Grad != nil {
				if grads, err = G.Grad(lg.cost, lg.wrt...); err != nil {
					t.Fatalf("%s: Grad: %v", name, err)
				}
			}
			vm := G.NewTapeMachine(lg.g)
			for run := 0; run < 2; run++ {
				if err := vm.RunAll(); err != nil {
					t.Fatalf("%s: RunAll: %v", name, err)
				}
				var gv []G.Value
				for _, n := range grads {
					gv = append(gv, n.Value())
				}
				checkResult(t, fmt.Sprintf("%s/run%d", name, run), c, golden.Dtype(c.Dtype), lg.loss.Value(), lg, gv)
				vm.Reset()
			}
			vm.Close()
		}
	}
}

// TestGoldenLisp runs every golden case on a LispMachine, whose gradients
// come from the ops' DoDiff.
func TestGoldenLisp(t *testing.T) {
	for _, loss := range goldenLosses {
		f := loadGolden(t, loss)
		for i := range f.Cases {
			name := caseName(f, loss, i)
			c := &f.Cases[i]
			lg, err := buildCase(f, loss, i)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var opts []G.VMOpt
			if c.Grad == nil {
				opts = append(opts, G.ExecuteFwdOnly())
			}
			vm := G.NewLispMachine(lg.g, opts...)
			if err := vm.RunAll(); err != nil {
				t.Fatalf("%s: RunAll: %v", name, err)
			}
			var gv []G.Value
			if c.Grad != nil {
				for _, n := range lg.wrt {
					v, err := n.Grad()
					if err != nil {
						t.Fatalf("%s: %v.Grad: %v", name, n.Name(), err)
					}
					gv = append(gv, v)
				}
			}
			checkResult(t, name, c, golden.Dtype(c.Dtype), lg.loss.Value(), lg, gv)
			vm.Close()
		}
	}
}

// backwardOf returns the backward op of a Stheno op for its input i.
func backwardOf(op G.Op, i int) G.Op {
	switch o := op.(type) {
	case *lossOp[float64]:
		return o.gradOp(i)
	case *lossOp[float32]:
		return o.gradOp(i)
	case *softmaxOp[float64]:
		return o.gradOp()
	case *softmaxOp[float32]:
		return o.gradOp()
	}
	panic(fmt.Sprintf("backwardOf: %T", op))
}
