package graph

import (
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Module is anything that can build its forward pass on a Builder: every layer, Sequential, models.
// Forward adds the nodes computing the module's output for input x to b.Graph() and returns the output.
type Module interface {
	Forward(b *Builder, x *gorgonia.Node) (*gorgonia.Node, error)
}

// Builder builds one instance of a model onto one ExprGraph, in train or eval mode.
// Builders made by Scope share the graph, the store, the random generator and the list of learnables
// with their parent; only the name prefix differs.
type Builder struct {
	prefix string
	st     *buildState
}

// buildState is what a Builder shares with its scopes.
type buildState struct {
	g          *gorgonia.ExprGraph
	s          *Store
	training   bool
	rng        *rand.Rand
	params     map[string]*gorgonia.Node
	learnables gorgonia.Nodes
}

// NewBuilder returns a builder that builds onto g with the tensors of s; training selects train mode
// (dropout active, batch statistics) or eval mode.
func NewBuilder(g *gorgonia.ExprGraph, s *Store, training bool) *Builder {
	return &Builder{st: &buildState{
		g:        g,
		s:        s,
		training: training,
		rng:      rand.New(rand.NewSource(s.nextBuilderSeed())),
		params:   make(map[string]*gorgonia.Node),
	}}
}

// Graph returns the graph being built.
func (b *Builder) Graph() *gorgonia.ExprGraph { return b.st.g }

// Store returns the store holding the model's tensors.
func (b *Builder) Store() *Store { return b.st.s }

// Dtype returns the store's dtype, the dtype every parameter node has.
func (b *Builder) Dtype() tensor.Dtype { return b.st.s.Dtype() }

// Training reports whether the model is built in training mode.
func (b *Builder) Training() bool { return b.st.training }

// Rand returns the builder's random generator (for dropout masks and the like). It is seeded
// reproducibly from the store's seed and the number of builders made on the store before this one,
// and is shared by all scopes of the builder.
func (b *Builder) Rand() *rand.Rand { return b.st.rng }

// Scope returns a child builder whose names are prefixed with "name." (nested scopes give
// "a.b.weight"). It shares the graph, the store and the learnables with b.
func (b *Builder) Scope(name string) *Builder {
	return &Builder{prefix: b.Name(name), st: b.st}
}

// Name returns the full dotted name of a local name in this scope.
func (b *Builder) Name(local string) string {
	if b.prefix == "" {
		return local
	}
	if local == "" {
		return b.prefix
	}
	return b.prefix + "." + local
}

// Param returns a learnable node named Name(local) bound to the store tensor of that name, creating
// and initialising the tensor with init on first use (in any graph); later builds reuse it, and the
// shape must match, else it is an error. Asking twice for the same parameter on one graph returns the
// same node (weight sharing). The node's value is the store tensor itself, so in-place updates of that
// tensor (by a solver) are seen by every graph built from the store.
func (b *Builder) Param(local string, shape tensor.Shape, init Initializer) (*gorgonia.Node, error) {
	name := b.Name(local)
	if local == "" {
		return nil, errors.New("graph: Param: empty name")
	}
	if len(shape) == 0 {
		return nil, errors.Errorf("graph: Param %q: scalar parameters are not supported; use shape (1)", name)
	}
	t, err := b.st.s.getOrCreate(name, shape, init, true)
	if err != nil {
		return nil, err
	}
	if n, ok := b.st.params[name]; ok {
		return n, nil
	}
	if len(b.st.g.ByName(name)) > 0 {
		return nil, errors.Errorf("graph: Param %q: the graph already has a node with that name", name)
	}
	n := gorgonia.NewTensor(b.st.g, b.Dtype(), len(shape), gorgonia.WithShape(shape...),
		gorgonia.WithName(name), gorgonia.WithValue(t))
	b.st.params[name] = n
	b.st.learnables = append(b.st.learnables, n)
	return n, nil
}

// Buffer returns the store tensor Name(local) (non-learnable, saved in checkpoints), creating and
// initialising it on first use. The returned tensor is the store's own: ops may update it in place
// (e.g. BatchNorm running statistics).
func (b *Builder) Buffer(local string, shape tensor.Shape, init Initializer) (tensor.Tensor, error) {
	if local == "" {
		return nil, errors.New("graph: Buffer: empty name")
	}
	t, err := b.st.s.getOrCreate(b.Name(local), shape, init, false)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Learnables returns all parameter nodes built so far on this graph (by b and all its scopes),
// in creation order. The returned slice is a copy.
func (b *Builder) Learnables() gorgonia.Nodes {
	return append(gorgonia.Nodes(nil), b.st.learnables...)
}
