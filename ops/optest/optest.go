// Package optest checks the gradients of any gorgonia.Op against finite
// differences of its own forward pass — the conformance test Stheno runs
// on its losses, for users writing their own ops.
//
// CheckGrad applies the op to the given inputs in a fresh graph and
// compares, for every input to differentiate and every element,
//
//   - the symbolic gradient (the op's SymDiff, through gorgonia.Grad and a
//     TapeMachine),
//   - the LispMachine's gradient (the op's DoDiff), if the op has one,
//
// with finite differences (a five-point stencil) of Σ_k w_k · op.Do(inputs)_k, where w are fixed
// pseudo-random weights in [0.5, 1.5) (1 for a scalar output), so that
// every output element's gradient counts. It also checks what Gorgonia
// relies on without checking: DiffWRT and SymDiff return one entry per
// input, and SymDiff a node for every differentiable input. The inputs to differentiate must
// be float64 tensors or scalars (*gorgonia.F64); the others may be any
// value the op takes (class indices, for example).
package optest

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/internal/golden"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Config tunes CheckGrad. The zero value (or a nil *Config) uses the
// defaults.
type Config struct {
	// Step is the finite-difference step relative to max(1, |x|); the
	// function is evaluated at x ± Step and x ± 2·Step. Default 1e-3.
	Step float64
	// Tol is the largest accepted error |analytic − numeric| /
	// max(|numeric|, 1e-3·max|numeric|) of any element. Default 1e-6.
	Tol float64
	// Skip, if not nil, reports elements not to check, such as points
	// where the function has a kink or a clamp: element i (flat index) of
	// input in, whose value is x.
	Skip func(in, i int, x float64) bool
	// NoLisp skips the LispMachine (DoDiff) check.
	NoLisp bool
}

// CheckGrad checks op's gradients with respect to inputs[i] for every i in
// wrt (see the package documentation). It returns nil when every checked
// element is within cfg.Tol, otherwise an error naming the worst element:
// which machine, input, index, analytic and numeric values.
func CheckGrad(op G.Op, inputs []G.Value, wrt []int, cfg *Config) error {
	c := Config{Step: 1e-3, Tol: 1e-6}
	if cfg != nil {
		if cfg.Step > 0 {
			c.Step = cfg.Step
		}
		if cfg.Tol > 0 {
			c.Tol = cfg.Tol
		}
		c.Skip, c.NoLisp = cfg.Skip, cfg.NoLisp
	}
	if len(inputs) != op.Arity() && op.Arity() >= 0 {
		return errors.Errorf("optest: %v takes %d inputs, got %d", op, op.Arity(), len(inputs))
	}
	xs := make([][]float64, len(inputs)) // working copies of the inputs to differentiate
	vals := make([]G.Value, len(inputs)) // the op's inputs, xs for those
	copy(vals, inputs)
	for _, i := range wrt {
		if i < 0 || i >= len(inputs) {
			return errors.Errorf("optest: wrt index %d out of range [0, %d)", i, len(inputs))
		}
		switch v := inputs[i].(type) {
		case *tensor.Dense:
			if v.Dtype() != tensor.Float64 {
				return errors.Errorf("optest: input %d has dtype %v, want Float64 to differentiate", i, v.Dtype())
			}
			xs[i] = append([]float64(nil), v.Float64s()...)
			vals[i] = tensor.New(tensor.WithShape(v.Shape().Clone()...), tensor.WithBacking(xs[i]))
		case *G.F64:
			c := *v
			vals[i] = &c
			xs[i] = unsafe.Slice((*float64)(unsafe.Pointer(&c)), 1)
		default:
			return errors.Errorf("optest: input %d is a %T, want a Float64 *tensor.Dense or *gorgonia.F64 to differentiate", i, inputs[i])
		}
	}

	// The numeric gradients, from the op's forward alone.
	out, err := op.Do(vals...)
	if err != nil {
		return errors.Wrapf(err, "optest: %v: forward", op)
	}
	w := weights(out)
	numeric := make([][]float64, len(inputs))
	for _, i := range wrt {
		if numeric[i], err = numGrad(op, vals, xs[i], i, w, c); err != nil {
			return err
		}
	}

	if err := checkSymDiff(op, inputs, wrt); err != nil {
		return err
	}
	machines := []bool{false}
	if _, ok := op.(G.ADOp); ok && !c.NoLisp {
		machines = append(machines, true)
	}
	for _, lisp := range machines {
		analytic, err := gradients(op, inputs, wrt, w, out.Shape(), lisp)
		if err != nil {
			return err
		}
		for _, i := range wrt {
			a, n := append([]float64(nil), analytic[i]...), numeric[i]
			if len(a) != len(n) {
				return errors.Errorf("optest: %v: %s gradient of input %d has %d elements, want %d", op, machine(lisp), i, len(a), len(n))
			}
			for k := range n {
				if c.Skip != nil && c.Skip(i, k, xs[i][k]) {
					a[k] = 0 // numGrad left n[k] = 0
				}
			}
			if len(n) == 0 {
				continue
			}
			k, e := golden.GradErr(a, n)
			if !(e <= c.Tol) {
				return errors.Errorf("optest: %v: %s gradient of input %d at [%d] (x = %v): analytic %.12g, numeric %.12g (error %.3g > %g)",
					op, machine(lisp), i, k, xs[i][k], a[k], n[k], e, c.Tol)
			}
		}
	}
	return nil
}

// checkSymDiff checks, in a throwaway graph, what Gorgonia relies on
// without checking: DiffWRT and SymDiff return one entry per input, and
// SymDiff a node for every input DiffWRT calls differentiable (and so for
// every input in wrt).
func checkSymDiff(op G.Op, inputs []G.Value, wrt []int) error {
	sd, ok := op.(G.SDOp)
	if !ok {
		return errors.Errorf("optest: %v has no SymDiff (it is not a gorgonia.SDOp)", op)
	}
	diff := sd.DiffWRT(len(inputs))
	if len(diff) != len(inputs) {
		return errors.Errorf("optest: %v: DiffWRT returned %d entries for %d inputs", op, len(diff), len(inputs))
	}
	for _, i := range wrt {
		if !diff[i] {
			return errors.Errorf("optest: %v: DiffWRT says input %d is not differentiable", op, i)
		}
	}
	g := G.NewGraph()
	nodes := make(G.Nodes, len(inputs))
	for i, v := range inputs {
		nodes[i] = G.NodeFromAny(g, v, G.WithName(fmt.Sprintf("input%d", i)))
	}
	out, err := G.ApplyOp(op, nodes...)
	if err != nil {
		return errors.Wrapf(err, "optest: applying %v", op)
	}
	grad := G.NewTensor(g, out.Dtype(), out.Shape().Dims(), G.WithShape(out.Shape().Clone()...), G.WithName("grad"))
	if out.Shape().Dims() == 0 {
		grad = G.NewScalar(g, out.Dtype(), G.WithName("grad"))
	}
	res, err := sd.SymDiff(nodes, out, grad)
	if err != nil {
		return errors.Wrapf(err, "optest: %v: SymDiff", op)
	}
	if len(res) != len(inputs) {
		return errors.Errorf("optest: %v: SymDiff returned %d gradients for %d inputs (Gorgonia needs one per input, nil for none)", op, len(res), len(inputs))
	}
	for i, d := range diff {
		if d && res[i] == nil {
			return errors.Errorf("optest: %v: SymDiff returned no gradient for input %d, which DiffWRT calls differentiable", op, i)
		}
	}
	return nil
}

func machine(lisp bool) string {
	if lisp {
		return "LispMachine (DoDiff)"
	}
	return "TapeMachine (SymDiff)"
}

// gradients builds op(inputs) · w in a new graph and returns the
// gradients of the inputs in wrt from one machine's run.
func gradients(op G.Op, inputs []G.Value, wrt []int, w []float64, outShape tensor.Shape, lisp bool) ([][]float64, error) {
	g := G.NewGraph()
	nodes := make(G.Nodes, len(inputs))
	for i, v := range inputs {
		var cv G.Value = v
		if d, ok := v.(*tensor.Dense); ok {
			cv = d.Clone().(*tensor.Dense)
		}
		nodes[i] = G.NodeFromAny(g, cv, G.WithName(fmt.Sprintf("input%d", i)))
	}
	out, err := G.ApplyOp(op, nodes...)
	if err != nil {
		return nil, errors.Wrapf(err, "optest: applying %v", op)
	}
	cost := out
	if outShape.Dims() > 0 {
		wn := G.NodeFromAny(g, tensor.New(tensor.WithShape(outShape.Clone()...), tensor.WithBacking(append([]float64(nil), w...))), G.WithName("w"))
		if out.Dtype() == tensor.Float32 {
			return nil, errors.Errorf("optest: %v has a float32 output; differentiate float64 inputs", op)
		}
		p, err := G.HadamardProd(out, wn)
		if err != nil {
			return nil, errors.Wrap(err, "optest: weighting the output")
		}
		if cost, err = G.Sum(p); err != nil {
			return nil, errors.Wrap(err, "optest: summing the output")
		}
	}
	var vm G.VM
	var grads G.Nodes
	if lisp {
		vm = G.NewLispMachine(g)
	} else {
		wrtNodes := make(G.Nodes, len(wrt))
		for k, i := range wrt {
			wrtNodes[k] = nodes[i]
		}
		if grads, err = G.Grad(cost, wrtNodes...); err != nil {
			return nil, errors.Wrapf(err, "optest: gorgonia.Grad of %v", op)
		}
		vm = G.NewTapeMachine(g)
	}
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		return nil, errors.Wrapf(err, "optest: %s run of %v", machine(lisp), op)
	}
	res := make([][]float64, len(inputs))
	for k, i := range wrt {
		var v G.Value
		if lisp {
			if v, err = nodes[i].Grad(); err != nil {
				return nil, errors.Wrapf(err, "optest: LispMachine gradient of input %d", i)
			}
		} else {
			v = grads[k].Value()
		}
		res[i] = Floats(v)
	}
	return res, nil
}

// numGrad returns the finite-difference gradient of Σ_j w_j op(vals)_j
// with respect to input i, whose data is x (perturbed in place one element
// at a time and restored exactly), by the five-point stencil
// (-f(2h) + 8f(h) - 8f(-h) + f(-2h)) / 12h, whose error is O(h⁴). The
// outputs are combined element by element before the weighted sum, so
// large outputs that the element does not affect add no rounding error.
// Skipped elements get 0.
func numGrad(op G.Op, vals []G.Value, x []float64, i int, w []float64, c Config) ([]float64, error) {
	g := make([]float64, len(x))
	var acc []float64
	for k, xk := range x {
		if c.Skip != nil && c.Skip(i, k, xk) {
			continue
		}
		h := c.Step * math.Max(1, math.Abs(xk))
		for _, st := range [4]struct{ d, c float64 }{{2 * h, -1}, {h, 8}, {-h, -8}, {-2 * h, 1}} {
			x[k] = xk + st.d
			o, err := op.Do(vals...)
			x[k] = xk
			if err != nil {
				return nil, errors.Wrapf(err, "optest: %v: forward with input %d[%d] = %v", op, i, k, xk+st.d)
			}
			of := Floats(o)
			if acc == nil {
				acc = make([]float64, len(of))
			}
			for j, v := range of {
				acc[j] += st.c * v
			}
		}
		var s float64
		for j := range acc {
			s += w[j] * acc[j]
			acc[j] = 0
		}
		g[k] = s / (12 * h)
	}
	return g, nil
}

// weights returns fixed pseudo-random weights in [0.5, 1.5), one per output
// element (1 for a scalar output).
func weights(out G.Value) []float64 {
	if out.Shape().Dims() == 0 {
		return []float64{1}
	}
	n := out.Shape().TotalSize()
	w := make([]float64, n)
	s := uint64(0x9e3779b97f4a7c15)
	for i := range w {
		s ^= s << 13
		s ^= s >> 7
		s ^= s << 17
		w[i] = 0.5 + float64(s>>11)/(1<<53)
	}
	return w
}

// Floats returns the elements of a float value — a scalar (*gorgonia.F64,
// *gorgonia.F32) or a float64 or float32 tensor — as a new []float64; nil
// for anything else.
func Floats(v G.Value) []float64 {
	switch x := v.(type) {
	case *G.F64:
		return []float64{float64(*x)}
	case *G.F32:
		return []float64{float64(*x)}
	}
	return golden.Values(v)
}
