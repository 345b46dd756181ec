package graph

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// LossFunc turns the model output and the target node into a scalar loss node (e.g. ops.CrossEntropy).
type LossFunc func(out, target *gorgonia.Node) (*gorgonia.Node, error)

// Trainer is a compiled training program: the model built in training mode on its own graph with
// input node "x" and target node "y", the loss, its symbolic gradients (gorgonia.Grad) with respect to
// every learnable, and one TapeMachine. Nothing is rebuilt per step.
//
// A Trainer is not safe for concurrent use.
type Trainer struct {
	g         *gorgonia.ExprGraph
	x, y      *gorgonia.Node
	xv, yv    *tensor.Dense
	out, loss *gorgonia.Node
	// outV and lossV are allocated apart from the struct: Reads into its fields would make a
	// cycle through the VM, whose finalizer then keeps the whole graph alive forever.
	outV       *gorgonia.Value
	lossV      *gorgonia.Value
	learnables gorgonia.Nodes
	grads      []gorgonia.ValueGrad
	vm         gorgonia.VM
	solver     gorgonia.Solver
	closed     bool
}

// NewTrainer builds m on a fresh graph in training mode with an input node "x" of the store's dtype
// and shape xShape and a target node "y" of dtype yDtype and shape yShape, the loss, gorgonia.Grad,
// and one TapeMachine. The loss must be a scalar; the model must have at least one parameter.
// Every parameter node is bound to its tensor in s, which solver updates in place.
func NewTrainer(m Module, s *Store, xShape tensor.Shape, yDtype tensor.Dtype, yShape tensor.Shape,
	loss LossFunc, solver gorgonia.Solver) (t *Trainer, err error) {
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, errors.Errorf("graph: compiling the trainer: %v", r)
		}
	}()
	if s == nil || loss == nil || solver == nil {
		return nil, errors.New("graph: NewTrainer: nil store, loss or solver")
	}
	if err := s.checkDtype(); err != nil {
		return nil, err
	}
	t = &Trainer{g: gorgonia.NewGraph(), solver: solver}
	if t.x, t.xv, err = inputNode(t.g, "x", s.Dtype(), xShape); err != nil {
		return nil, err
	}
	if t.y, t.yv, err = inputNode(t.g, "y", yDtype, yShape); err != nil {
		return nil, err
	}
	b := NewBuilder(t.g, s, true)
	if t.out, err = forward(m, b, t.x); err != nil {
		return nil, errors.Wrap(err, "graph: NewTrainer")
	}
	if t.loss, err = loss(t.out, t.y); err != nil {
		return nil, errors.Wrap(err, "graph: NewTrainer: loss")
	}
	if t.loss == nil || t.loss.Shape().TotalSize() != 1 {
		return nil, errors.Errorf("graph: NewTrainer: the loss must be a scalar node, got %v", t.loss)
	}
	t.learnables = b.Learnables()
	if len(t.learnables) == 0 {
		return nil, errors.New("graph: NewTrainer: the model has no parameters")
	}
	grads, err := gorgonia.Grad(t.loss, t.learnables...)
	if err != nil {
		return nil, errors.Wrap(err, "graph: NewTrainer: gradients")
	}
	// Read nodes copy the values out when computed: the loss and output registers may be reused
	// by later instructions of the tape.
	t.lossV, t.outV = new(gorgonia.Value), new(gorgonia.Value)
	skipUnused(t.g, append(gorgonia.Nodes{gorgonia.Read(t.loss, t.lossV), gorgonia.Read(t.out, t.outV)}, grads...))
	t.grads = gorgonia.NodesToValueGrads(t.learnables)
	t.vm = gorgonia.NewTapeMachine(t.g)
	return t, nil
}

// Step copies x and y into the graph's inputs (their shapes and dtypes must be exactly those the
// trainer was compiled for), runs the forward and backward pass, applies one solver step to the
// learnables and resets the machine. It returns the loss before the update.
func (t *Trainer) Step(x, y tensor.Tensor) (loss float64, err error) {
	if t.closed {
		return 0, errors.New("graph: Step on a closed Trainer")
	}
	if err := feed("x", t.xv, x); err != nil {
		return 0, err
	}
	if err := feed("y", t.yv, y); err != nil {
		return 0, err
	}
	defer t.vm.Reset()
	defer func() {
		if r := recover(); r != nil {
			err = errors.Errorf("graph: training step: %v", r)
		}
	}()
	if err := t.vm.RunAll(); err != nil {
		return 0, errors.Wrap(err, "graph: training step")
	}
	if loss, err = scalarOf(*t.lossV); err != nil {
		return 0, err
	}
	if err := t.solver.Step(t.grads); err != nil {
		return loss, errors.Wrap(err, "graph: solver step")
	}
	return loss, nil
}

// Output returns the model output of the last Step (e.g. logits, for train accuracy), computed
// before that step's update. The tensor is owned by the Trainer and overwritten in place by the next
// Step: Clone it to keep it. It is nil before the first Step.
func (t *Trainer) Output() tensor.Tensor {
	if *t.outV == nil {
		return nil
	}
	return (*t.outV).(tensor.Tensor)
}

// Learnables returns the parameter nodes of the training graph in creation order (a copy).
// Their gradients after a Step are available through gorgonia's Node.Grad.
func (t *Trainer) Learnables() gorgonia.Nodes { return append(gorgonia.Nodes(nil), t.learnables...) }

// Graph returns the training graph (to inspect it or print it; do not add nodes to it).
func (t *Trainer) Graph() *gorgonia.ExprGraph { return t.g }

// Close releases the machine. The store and its tensors are unaffected.
func (t *Trainer) Close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	return t.vm.Close()
}

// skipUnused tells every op of g that implements SkipUnused() and whose output none of keep
// depends on that its work is not needed. gorgonia.Grad asks each op for the gradients of all its
// inputs, so the tape would otherwise compute, every step, the gradient of the input data (e.g. the
// first Linear's or convolution's) that nothing reads. (Removing the nodes instead is not an
// option: ExprGraph.RemoveNode leaves its node index stale.)
func skipUnused(g *gorgonia.ExprGraph, keep gorgonia.Nodes) {
	needed := make(map[*gorgonia.Node]bool, len(g.AllNodes()))
	stack := append(gorgonia.Nodes(nil), keep...)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if needed[n] {
			continue
		}
		needed[n] = true
		for it := g.From(n.ID()); it.Next(); {
			stack = append(stack, it.Node().(*gorgonia.Node))
		}
	}
	for _, n := range g.AllNodes() {
		if op, ok := n.Op().(interface{ SkipUnused() }); ok && !needed[n] {
			op.SkipUnused()
		}
	}
}
