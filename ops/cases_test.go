package ops

import (
	"fmt"
	"github.com/stheno-ml/stheno/internal/golden"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// lossGraph is a graph computing one golden case: the loss node, and a
// scalar cost sum(loss * gout) whose gradient with respect to x is the
// case's "grad".
type lossGraph struct {
	g          *G.ExprGraph
	x, t, loss *G.Node
	cost       *G.Node
	xv, tv     *tensor.Dense
}

var indexDtypes = []tensor.Dtype{tensor.Int, tensor.Int64, tensor.Int32}

// buildCase builds the graph of case i of a golden file for loss
// ("crossentropy", "nll", "bce", "bcewithlogits", "softmax").
func buildCase(f *goldenFile, loss string, i int) (*lossGraph, error) {
	c := &f.Cases[i]
	dt := dtypeOf(c.Dtype)
	lg := &lossGraph{g: G.NewGraph()}
	g := lg.g
	lg.xv = floatTensor(dt, c.XShape, f.arr(c.X))
	lg.x = G.NodeFromAny(g, lg.xv, G.WithName("x"))
	var opts []LossOpt
	switch c.Reduction {
	case "sum":
		opts = append(opts, WithReduction(Sum))
	case "none":
		opts = append(opts, WithReduction(None))
	case "mean":
		if i%2 == 0 { // the default, given explicitly every other case
			opts = append(opts, WithReduction(Mean))
		}
	}
	if c.Weight >= 0 && loss != "softmax" {
		ws := c.WeightShape
		if ws == nil {
			ws = []int{len(f.Arrays[c.Weight])}
		}
		opts = append(opts, WithWeight(floatTensor(dt, ws, f.arr(c.Weight))))
	}
	if c.PosWeight >= 0 && loss == "bcewithlogits" {
		opts = append(opts, WithPosWeight(floatTensor(dt, []int{len(f.Arrays[c.PosWeight])}, f.arr(c.PosWeight))))
	}
	if c.Ignore != nil {
		opts = append(opts, WithIgnoreIndex(*c.Ignore))
	}
	if c.Smoothing > 0 {
		opts = append(opts, WithLabelSmoothing(c.Smoothing))
	}
	var err error
	switch loss {
	case "softmax":
		if c.Log {
			lg.loss, err = LogSoftmax(lg.x, c.Axis)
		} else {
			lg.loss, err = Softmax(lg.x, c.Axis)
		}
	default:
		if c.TargetKind == "index" {
			lg.tv = indexTensor(indexDtypes[i%3], c.TargetShape, f.arr(c.Target))
		} else {
			lg.tv = floatTensor(dt, c.TargetShape, f.arr(c.Target))
		}
		lg.t = G.NodeFromAny(g, lg.tv, G.WithName("target"))
		switch loss {
		case "crossentropy":
			lg.loss, err = CrossEntropy(lg.x, lg.t, opts...)
		case "nll":
			lg.loss, err = NLL(lg.x, lg.t, opts...)
		case "bce":
			lg.loss, err = BCE(lg.x, lg.t, opts...)
		case "bcewithlogits":
			lg.loss, err = BCEWithLogits(lg.x, lg.t, opts...)
		}
	}
	if err != nil {
		return nil, err
	}
	lg.cost = lg.loss
	if lg.loss.Shape().Dims() > 0 {
		gout := G.NodeFromAny(g, floatTensor(dt, c.OutShape, f.arr(c.Gout)), G.WithName("gout"))
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

var goldenLosses = []string{"crossentropy", "nll", "bce", "bcewithlogits", "softmax"}

func caseName(f *goldenFile, loss string, i int) string {
	c := &f.Cases[i]
	ign := "none"
	if c.Ignore != nil {
		ign = fmt.Sprint(*c.Ignore)
	}
	return fmt.Sprintf("%s/%d/%s/x%v/%s/%s/w%v/pw%v/ign=%s/eps=%v/log=%v/axis=%d", loss, i, c.Dtype, c.XShape,
		c.TargetKind, c.Reduction, c.Weight >= 0, c.PosWeight >= 0, ign, c.Smoothing, c.Log, c.Axis)
}

// checkResult compares a run's loss and input gradient with the case.
func checkResult(t *testing.T, name string, c *goldenCase, dt tensor.Dtype, loss G.Value, grad G.Value) {
	t.Helper()
	rtol, atol := golden.Tol(dt)
	if i := golden.Diff(valueFloats(loss), golden.Floats(c.Out), rtol, atol); i >= 0 {
		t.Errorf("%s: loss mismatch at %d:\n got %v\nwant %v", name, i, valueFloats(loss), golden.Floats(c.Out))
	}
	if c.Grad == nil {
		return
	}
	if grad == nil {
		t.Errorf("%s: no gradient", name)
		return
	}
	if i := golden.Diff(valueFloats(grad), golden.Floats(c.Grad), rtol, atol); i >= 0 {
		t.Errorf("%s: gradient mismatch at %d:\n got %v\nwant %v", name, i, valueFloats(grad), golden.Floats(c.Grad))
	}
}

// TestGoldenTape runs every golden case on a TapeMachine with
// gorgonia.Grad, twice (the second run reuses the ops' buffers).
func TestGoldenTape(t *testing.T) {
	for _, loss := range goldenLosses {
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
				if grads, err = G.Grad(lg.cost, lg.x); err != nil {
					t.Fatalf("%s: Grad: %v", name, err)
				}
			}
			vm := G.NewTapeMachine(lg.g)
			for run := 0; run < 2; run++ {
				if err := vm.RunAll(); err != nil {
					t.Fatalf("%s: RunAll: %v", name, err)
				}
				var gv G.Value
				if grads != nil {
					gv = grads[0].Value()
				}
				checkResult(t, fmt.Sprintf("%s/run%d", name, run), c, dtypeOf(c.Dtype), lg.loss.Value(), gv)
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
			var gv G.Value
			if c.Grad != nil {
				if gv, err = lg.x.Grad(); err != nil {
					t.Fatalf("%s: x.Grad: %v", name, err)
				}
			}
			checkResult(t, name, c, dtypeOf(c.Dtype), lg.loss.Value(), gv)
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
