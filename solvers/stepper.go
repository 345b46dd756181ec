package solvers

import (
	"reflect"
	"unsafe"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/internal/num"
)

// Stepper trains a plain Gorgonia program without a list of its learnables:
// each Step runs the VM, steps the solver over the graph's learnables (see
// Learnables) and resets the VM — the loop body of every Gorgonia example,
// in one call:
//
//	st, err := solvers.NewStepper(g, vm, solver)
//	for ... {
//		gorgonia.Let(x, batch) // as before
//		loss, err := st.StepLoss(cost)
//	}
//
// It works with a TapeMachine (after gorgonia.Grad, with or without
// BindDualValues) and with a LispMachine. A Stepper is not safe for
// concurrent use.
type Stepper struct {
	vm    gorgonia.VM
	s     gorgonia.Solver
	learn gorgonia.Nodes
	model []gorgonia.ValueGrad
	// leaves are all variable leaves: their LispMachine gradients are
	// zeroed after each step (as torch's zero_grad) so that they do not
	// accumulate into the next run, whatever the solver.
	leaves gorgonia.Nodes
	lisp   bool
}

// NewStepper finds the learnables of g (with opts, as Learnables) once and
// returns a Stepper that runs vm and steps s over them. It is an error if
// g has no learnable node.
func NewStepper(g *gorgonia.ExprGraph, vm gorgonia.VM, s gorgonia.Solver, opts ...LearnOption) (*Stepper, error) {
	if vm == nil {
		return nil, errors.New("solvers: NewStepper: nil VM")
	}
	if s == nil {
		return nil, errors.New("solvers: NewStepper: nil solver")
	}
	learn, err := Learnables(g, opts...)
	if err != nil {
		return nil, errors.Wrap(err, "NewStepper")
	}
	if len(learn) == 0 {
		return nil, errors.New("solvers: NewStepper: the graph has no learnable node (call gorgonia.Grad before making a TapeMachine, or check Freeze/Inputs)")
	}
	st := &Stepper{vm: vm, s: s, learn: learn, model: gorgonia.NodesToValueGrads(learn)}
	for _, n := range g.AllNodes() {
		if n.IsVar() {
			st.leaves = append(st.leaves, n)
		}
	}
	if t := reflect.TypeOf(vm); t.Kind() == reflect.Pointer && t.Elem().PkgPath() == "gorgonia.org/gorgonia" && t.Elem().Name() == "lispMachine" {
		st.lisp = true
		if _, err := lispCounters(vm); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// Learnables returns the nodes the Stepper updates, sorted by name. The
// slice is the Stepper's own; do not modify it.
func (st *Stepper) Learnables() gorgonia.Nodes { return st.learn }

// Step runs the VM once (forward and backward), updates every learnable
// with the solver, and resets the VM for the next run. On an error from
// the VM or a learnable without a gradient, no parameter is changed and
// the VM is still reset.
func (st *Stepper) Step() error {
	_, err := st.step(nil)
	return err
}

// StepLoss is Step, and returns the value of loss (a scalar node of the
// graph) computed by this run, before the update.
func (st *Stepper) StepLoss(loss *gorgonia.Node) (float64, error) {
	if loss == nil {
		return 0, errors.New("solvers: Stepper.StepLoss: nil loss node")
	}
	return st.step(loss)
}

func (st *Stepper) step(loss *gorgonia.Node) (lv float64, err error) {
	defer func() {
		st.vm.Reset()
		if st.lisp {
			if e := rewindLisp(st.vm); e != nil && err == nil {
				err = e
			}
		}
	}()
	if err := st.vm.RunAll(); err != nil {
		return 0, errors.Wrap(err, "solvers: Stepper: running the VM")
	}
	if loss != nil {
		if lv, err = scalarOf(loss); err != nil {
			return 0, err
		}
	}
	for _, n := range st.learn {
		if err := hasGrad(n); err != nil {
			return 0, err
		}
	}
	if err := st.s.Step(st.model); err != nil {
		return 0, errors.Wrap(err, "solvers: Stepper")
	}
	if st.lisp {
		for _, n := range st.leaves {
			if n.Deriv() != nil {
				continue
			}
			if g, err := n.Grad(); err == nil && g != nil {
				zeroValue(g)
			}
		}
	}
	return lv, nil
}

// hasGrad returns an error naming n if it has no gradient value for this
// run.
func hasGrad(n *gorgonia.Node) error {
	if d := n.Deriv(); d != nil {
		if d.Value() == nil {
			return errors.Errorf("solvers: Stepper: learnable %q has a derivative node but no gradient value: the VM did not compute it", n.Name())
		}
		return nil
	}
	g, err := n.Grad()
	if err != nil || g == nil {
		return errors.Errorf("solvers: Stepper: learnable %q has no gradient: call gorgonia.Grad before making a TapeMachine, or run a LispMachine with backpropagation", n.Name())
	}
	return nil
}

func scalarOf(n *gorgonia.Node) (float64, error) {
	v := n.Value()
	if v == nil {
		return 0, errors.Errorf("solvers: Stepper: loss node %q has no value after the run", n.Name())
	}
	if v.Shape().TotalSize() != 1 {
		return 0, errors.Errorf("solvers: Stepper: loss node %q has shape %v, want a scalar", n.Name(), v.Shape())
	}
	if x, ok := num.Scalar(v); ok {
		return x, nil
	}
	return 0, errors.Errorf("solvers: Stepper: loss node %q has dtype %v, want float32 or float64", n.Name(), v.Dtype())
}

func zeroValue(v gorgonia.Value) {
	switch v.Dtype() {
	case tensor.Float32:
		if s, err := view[float32](v); err == nil {
			clear(s)
		}
	case tensor.Float64:
		if s, err := view[float64](v); err == nil {
			clear(s)
		}
	}
}

// lispCounters returns the forward counter of a Gorgonia 0.9.18
// LispMachine.
func lispCounters(vm gorgonia.VM) (reflect.Value, error) {
	f := reflect.ValueOf(vm).Elem().FieldByName("fwd")
	if !f.IsValid() || f.Kind() != reflect.Int {
		return reflect.Value{}, errors.New("solvers: NewStepper: this Gorgonia version's LispMachine has no forward counter to rewind; re-create the LispMachine per step and call Solver.Step instead")
	}
	return f, nil
}

// rewindLisp makes the next RunAll of a LispMachine run the whole graph
// again. Gorgonia 0.9.18's lispMachine.Reset rewinds its forward counter
// to the last node instead of the first, so that a second RunAll would
// recompute only the output and backpropagate through it alone; the usual
// workaround is a new LispMachine per step. The backward counter is
// already right after Reset: the tape is rebuilt by each forward pass.
func rewindLisp(vm gorgonia.VM) error {
	f, err := lispCounters(vm)
	if err != nil {
		return err
	}
	reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().SetInt(0)
	return nil
}
