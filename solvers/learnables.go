package solvers

import (
	"sort"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
)

// LearnOption configures Learnables and NewStepper: which leaves are data
// and which learnables are frozen.
type LearnOption struct {
	apply func(c *learnConfig) error
}

type learnConfig struct {
	inputs  []*gorgonia.Node
	frozen  []*gorgonia.Node
	matches []func(name string) bool
}

// Inputs declares the data nodes of the graph — the nodes a program feeds
// with gorgonia.Let before each run (Gorgonia calls them the inputs of
// CompileFunction). They are never learnable. Only a graph that has not
// been differentiated with gorgonia.Grad needs them (a LispMachine's
// graph): Gorgonia's LispMachine differentiates every leaf, the data too,
// so that nothing else tells the images apart from the weights.
func Inputs(nodes ...*gorgonia.Node) LearnOption {
	nodes = append([]*gorgonia.Node(nil), nodes...)
	return LearnOption{func(c *learnConfig) error {
		for i, n := range nodes {
			if n == nil {
				return errors.Errorf("solvers: Inputs: node %d is nil", i)
			}
		}
		c.inputs = append(c.inputs, nodes...)
		return nil
	}}
}

// Freeze excludes nodes from the learnables, so that a solver leaves them
// unchanged (torch: p.requires_grad_(False)). Each node must be learnable —
// freezing a node that has no gradient (an input, a constant, a node not in
// the graph) is an error, since it is most likely a mistake.
func Freeze(nodes ...*gorgonia.Node) LearnOption {
	nodes = append([]*gorgonia.Node(nil), nodes...)
	return LearnOption{func(c *learnConfig) error {
		for i, n := range nodes {
			if n == nil {
				return errors.Errorf("solvers: Freeze: node %d is nil", i)
			}
		}
		c.frozen = append(c.frozen, nodes...)
		return nil
	}}
}

// FreezeMatching excludes the learnables whose name satisfies match, as
// WithGroup matches names: fine-tuning only the head of a network is
//
//	solvers.FreezeMatching(func(n string) bool { return !strings.HasPrefix(n, "head.") })
//
// A matcher that freezes no learnable at all is an error.
func FreezeMatching(match func(name string) bool) LearnOption {
	return LearnOption{func(c *learnConfig) error {
		if match == nil {
			return errors.New("solvers: FreezeMatching: match function must not be nil")
		}
		c.matches = append(c.matches, match)
		return nil
	}}
}

// Learnables walks g and returns its learnable nodes, sorted by name (ties
// by node ID), so that state saved by name round-trips. A learnable is a
// variable leaf — not a constant, not the result of an op, not a
// statement — that gets a gradient:
//
//   - If g was differentiated with gorgonia.Grad (TapeMachine, with or
//     without BindDualValues), the learnables are the leaves that have a
//     derivative node: exactly the nodes given to gorgonia.Grad.
//   - Otherwise (a LispMachine, or before gorgonia.Grad), they are the
//     leaves from which a differentiable path leads to an output of the
//     graph: every op on the path must differentiate with respect to the
//     input the path enters by (gorgonia.SDOp's DiffWRT). A node that only
//     feeds the target of a loss that does not differentiate its target,
//     or only a non-differentiable op (Argmax, comparisons, Read), is not
//     learnable. Data that a differentiable op consumes must be declared
//     with Inputs.
//
// Freeze and FreezeMatching remove nodes from the result. The nodes
// returned for a graph that was not yet differentiated are what to pass to
// gorgonia.Grad:
//
//	learn, err := solvers.Learnables(g, solvers.Inputs(x, y))
//	_, err = gorgonia.Grad(cost, learn...)
func Learnables(g *gorgonia.ExprGraph, opts ...LearnOption) (gorgonia.Nodes, error) {
	if g == nil {
		return nil, errors.New("solvers: Learnables: nil graph")
	}
	var c learnConfig
	for i, o := range opts {
		if o.apply == nil {
			return nil, errors.Errorf("solvers: Learnables: option %d is the zero LearnOption", i)
		}
		if err := o.apply(&c); err != nil {
			return nil, err
		}
	}
	for _, n := range append(append([]*gorgonia.Node(nil), c.inputs...), c.frozen...) {
		if n.Graph() != g {
			return nil, errors.Errorf("solvers: Learnables: node %q is not in the graph", n.Name())
		}
	}
	cand, err := candidates(g)
	if err != nil {
		return nil, err
	}
	isInput := make(map[*gorgonia.Node]bool, len(c.inputs))
	for _, n := range c.inputs {
		isInput[n] = true
	}
	frozen := make(map[*gorgonia.Node]bool, len(c.frozen))
	for _, n := range c.frozen {
		if !cand[n] || isInput[n] {
			return nil, errors.Errorf("solvers: Freeze: node %q has no gradient (not a learnable of the graph), so it cannot be frozen", n.Name())
		}
		frozen[n] = true
	}
	matched := make([]bool, len(c.matches))
	var out gorgonia.Nodes
	for n := range cand {
		if isInput[n] || frozen[n] {
			continue
		}
		skip := false
		for i, m := range c.matches {
			if m(n.Name()) {
				matched[i], skip = true, true
			}
		}
		if !skip {
			out = append(out, n)
		}
	}
	for i, ok := range matched {
		if !ok {
			return nil, errors.Errorf("solvers: FreezeMatching (option %d): the matcher freezes no learnable node", i+1)
		}
	}
	sortNodes(out)
	return out, nil
}

func sortNodes(ns gorgonia.Nodes) {
	sort.Slice(ns, func(i, j int) bool {
		if a, b := ns[i].Name(), ns[j].Name(); a != b {
			return a < b
		}
		return ns[i].ID() < ns[j].ID()
	})
}

// differentiated reports whether g holds a derivative node made by
// gorgonia.Grad for any variable leaf.
func differentiated(g *gorgonia.ExprGraph) bool {
	for _, n := range g.AllNodes() {
		if n.IsVar() && n.Deriv() != nil {
			return true
		}
	}
	return false
}

// candidates returns the variable leaves that get a gradient (see
// Learnables), before inputs and freezing are applied.
func candidates(g *gorgonia.ExprGraph) (map[*gorgonia.Node]bool, error) {
	out := make(map[*gorgonia.Node]bool)
	if differentiated(g) {
		for _, n := range g.AllNodes() {
			if n.IsVar() && n.Deriv() != nil {
				out[n] = true
			}
		}
		return out, nil
	}
	// Walk from the outputs towards the leaves in topological order
	// (gorgonia.Sort puts every node before its children), marking the
	// nodes a gradient reaches. Statements (Read, Set) and other ops that
	// are neither SDOp nor ADOp pass no gradient on.
	sorted, err := gorgonia.Sort(g)
	if err != nil {
		return nil, errors.Wrap(err, "solvers: Learnables")
	}
	reached := make(map[*gorgonia.Node]bool)
	for _, n := range g.Roots() {
		if n.Op() != nil {
			reached[n] = true
		}
	}
	for _, n := range sorted {
		if !reached[n] {
			continue
		}
		if n.IsVar() {
			out[n] = true
			continue
		}
		children := childrenOf(g, n)
		var wrt []bool
		switch op := n.Op().(type) {
		case gorgonia.SDOp:
			wrt = op.DiffWRT(len(children)) // nil (Read, Set): none
		case gorgonia.ADOp:
			// Differentiable by value only: with respect to every input.
			wrt = make([]bool, len(children))
			for i := range wrt {
				wrt[i] = true
			}
		default:
			continue
		}
		for i, ch := range children {
			if i < len(wrt) && wrt[i] {
				reached[ch] = true
			}
		}
	}
	return out, nil
}

func childrenOf(g *gorgonia.ExprGraph, n *gorgonia.Node) gorgonia.Nodes {
	it := g.From(n.ID())
	out := make(gorgonia.Nodes, 0, it.Len())
	for it.Next() {
		out = append(out, it.Node().(*gorgonia.Node))
	}
	return out
}
