package solvers

import (
	"io"
	"math"
	"reflect"
	"unsafe"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Solver is what every solver in this package implements: a gorgonia.Solver
// whose full state can be saved and restored, and whose learning rate can be
// read and changed between steps.
type Solver interface {
	gorgonia.Solver
	// SaveState writes the solver's state (moments, step counts, schedule
	// position, learning rate), keyed by parameter name.
	SaveState(w io.Writer) error
	// LoadState replaces the solver's state with one written by SaveState.
	LoadState(r io.Reader) error
	// SetLearnRate sets the base learning rate ρ of the solver (and of every
	// group that does not set its own).
	SetLearnRate(lr float64)
	// LearnRate returns the base learning rate ρ (before any schedule).
	LearnRate() float64
}

// kernel is the per-solver part: how many state buffers a parameter needs,
// how they start, and one update of a parameter.
type kernel interface {
	// nbuf is the number of parameter-sized state buffers for hp.
	nbuf(hp *hyper) int
	// initBuf is the initial value of buffer i.
	initBuf(hp *hyper, i int) float64
	// update32/update64 update p in place. lr is the scheduled learning
	// rate, gs the gradient scale (clipping and maximize folded in).
	update32(ps *param, p, g []float32, lr, gs float64)
	update64(ps *param, p, g []float64, lr, gs float64)
}

// param is the state of one learnable parameter.
type param struct {
	name string
	hp   *hyper
	// lrOwn is true if the parameter's group sets its own learning rate.
	lrOwn bool
	dtype tensor.Dtype
	n     int
	step  int64
	b32   [][]float32
	b64   [][]float64
	seen  uint64 // generation of the last Step that touched it
}

// base holds what all solvers share: configuration, per-parameter state
// keyed by the ValueGrad (node identity), the schedule position.
type base struct {
	kind string
	k    kernel
	cfg  *config

	// step is the number of completed calls to Step (the schedule position).
	step   int64
	params map[gorgonia.ValueGrad]*param
	// pending holds states loaded by LoadState for parameters not seen yet,
	// keyed by name.
	pending map[string]*param
	gen     uint64
	pool    *pool
}

func newBase(kind string, k kernel, cfg *config) base {
	return base{
		kind:    kind,
		k:       k,
		cfg:     cfg,
		params:  make(map[gorgonia.ValueGrad]*param),
		pending: make(map[string]*param),
		pool:    new(pool),
	}
}

// SetLearnRate sets the base learning rate. Groups that set their own
// learning rate keep it.
func (b *base) SetLearnRate(lr float64) { b.cfg.lr = lr }

// LearnRate returns the base learning rate (before any schedule).
func (b *base) LearnRate() float64 { return b.cfg.lr }

// ScheduledLR returns the learning rate the next Step will use for a
// parameter in the default group: the schedule applied to LearnRate.
func (b *base) ScheduledLR() float64 { return b.lrFor(b.cfg.lr) }

// Steps returns the number of completed calls to Step.
func (b *base) Steps() int { return int(b.step) }

func (b *base) lrFor(baseLR float64) float64 {
	if b.cfg.schedule == nil {
		return baseLR
	}
	return b.cfg.schedule.LR(baseLR, int(b.step))
}

func nameOf(vg gorgonia.ValueGrad) string {
	if n, ok := vg.(gorgonia.Namer); ok {
		return n.Name()
	}
	return ""
}

// slices returns the value and gradient of vg as slices sharing their
// memory, so that writing into the value slice updates the parameter in
// place.
func slices(vg gorgonia.ValueGrad) (dt tensor.Dtype, p32, g32 []float32, p64, g64 []float64, err error) {
	if vg == nil {
		return dt, nil, nil, nil, nil, errors.New("nil parameter")
	}
	if n, ok := vg.(*gorgonia.Node); ok && n == nil {
		return dt, nil, nil, nil, nil, errors.New("nil *gorgonia.Node parameter")
	}
	if !reflect.TypeOf(vg).Comparable() {
		return dt, nil, nil, nil, nil, errors.Errorf("parameter of type %T is not comparable; solvers key state by the ValueGrad, pass a pointer", vg)
	}
	val := vg.Value()
	if val == nil {
		return dt, nil, nil, nil, nil, errors.Errorf("parameter %q has no value", nameOf(vg))
	}
	grad, err := gradOf(vg)
	if err != nil {
		return dt, nil, nil, nil, nil, errors.Wrapf(err, "parameter %q has no gradient", nameOf(vg))
	}
	if grad == nil {
		return dt, nil, nil, nil, nil, errors.Errorf("parameter %q has no gradient", nameOf(vg))
	}
	dt = val.Dtype()
	switch dt {
	case tensor.Float32:
		if p32, err = view32(val); err != nil {
			return dt, nil, nil, nil, nil, errors.Wrapf(err, "value of parameter %q", nameOf(vg))
		}
		if g32, err = view32(grad); err != nil {
			return dt, nil, nil, nil, nil, errors.Wrapf(err, "gradient of parameter %q", nameOf(vg))
		}
		if len(p32) != len(g32) {
			return dt, nil, nil, nil, nil, errors.Errorf("parameter %q has %d elements but its gradient %d", nameOf(vg), len(p32), len(g32))
		}
	case tensor.Float64:
		if p64, err = view64(val); err != nil {
			return dt, nil, nil, nil, nil, errors.Wrapf(err, "value of parameter %q", nameOf(vg))
		}
		if g64, err = view64(grad); err != nil {
			return dt, nil, nil, nil, nil, errors.Wrapf(err, "gradient of parameter %q", nameOf(vg))
		}
		if len(p64) != len(g64) {
			return dt, nil, nil, nil, nil, errors.Errorf("parameter %q has %d elements but its gradient %d", nameOf(vg), len(p64), len(g64))
		}
	default:
		return dt, nil, nil, nil, nil, errors.Errorf("parameter %q has dtype %v; only float32 and float64 are supported", nameOf(vg), dt)
	}
	return dt, p32, g32, p64, g64, nil
}

// gradOf returns the gradient of this run. For a node differentiated
// symbolically (gorgonia.Grad, TapeMachine) that is the value of its
// derivative node: Node.Grad would instead return the dual value's
// gradient, which a TapeMachine made with BindDualValues accumulates
// across runs, so that each step would see the sum of all past gradients.
func gradOf(vg gorgonia.ValueGrad) (gorgonia.Value, error) {
	if n, ok := vg.(*gorgonia.Node); ok {
		if d := n.Deriv(); d != nil {
			if v := d.Value(); v != nil {
				return v, nil
			}
		}
	}
	return vg.Grad()
}

// accumulates reports whether the gradient of vg is a LispMachine dual
// value that the machine adds each run's gradient into (a node without a
// symbolic derivative). Such gradients are zeroed after the update, as
// torch's optimizer.zero_grad(), so that they do not leak into the next step.
func accumulates(vg gorgonia.ValueGrad) bool {
	n, ok := vg.(*gorgonia.Node)
	return ok && n.Deriv() == nil
}

func view32(v gorgonia.Value) ([]float32, error) {
	switch t := v.(type) {
	case *tensor.Dense:
		if t.Dtype() != tensor.Float32 {
			return nil, errors.Errorf("dtype %v, want float32", t.Dtype())
		}
		if t.RequiresIterator() {
			return nil, errors.New("tensor is not contiguous")
		}
		return t.Float32s(), nil
	case *gorgonia.F32:
		return unsafe.Slice((*float32)(t), 1), nil
	}
	return nil, errors.Errorf("unsupported value type %T (dtype %v), want *tensor.Dense or *gorgonia.F32", v, v.Dtype())
}

func view64(v gorgonia.Value) ([]float64, error) {
	switch t := v.(type) {
	case *tensor.Dense:
		if t.Dtype() != tensor.Float64 {
			return nil, errors.Errorf("dtype %v, want float64", t.Dtype())
		}
		if t.RequiresIterator() {
			return nil, errors.New("tensor is not contiguous")
		}
		return t.Float64s(), nil
	case *gorgonia.F64:
		return unsafe.Slice((*float64)(t), 1), nil
	}
	return nil, errors.Errorf("unsupported value type %T (dtype %v), want *tensor.Dense or *gorgonia.F64", v, v.Dtype())
}

// lookup returns the state of vg, creating it (or adopting a loaded one by
// name) on first sight.
func (b *base) lookup(vg gorgonia.ValueGrad, dt tensor.Dtype, n int) (*param, error) {
	if ps, ok := b.params[vg]; ok {
		if ps.dtype != dt || ps.n != n {
			return nil, errors.Errorf("parameter %q changed from %d %v to %d %v elements between steps", ps.name, ps.n, ps.dtype, n, dt)
		}
		return ps, nil
	}
	name := nameOf(vg)
	hp, own := &b.cfg.hyper, false
	for i := range b.cfg.groups {
		g := &b.cfg.groups[i]
		if g.match(name) {
			hp, own = &g.hp, g.hp.set&optLearnRate != 0
			break
		}
	}
	nb := b.k.nbuf(hp)
	if ps, ok := b.pending[name]; ok && name != "" {
		if ps.dtype != dt || ps.n != n || len(ps.b32)+len(ps.b64) != nb {
			return nil, errors.Errorf("loaded state of parameter %q has %d %v elements and %d buffers, parameter has %d %v elements and needs %d",
				name, ps.n, ps.dtype, len(ps.b32)+len(ps.b64), n, dt, nb)
		}
		delete(b.pending, name)
		ps.hp, ps.lrOwn = hp, own
		b.params[vg] = ps
		return ps, nil
	}
	ps := &param{name: name, hp: hp, lrOwn: own, dtype: dt, n: n}
	for i := 0; i < nb; i++ {
		init := b.k.initBuf(hp, i)
		if dt == tensor.Float32 {
			buf := make([]float32, n)
			if init != 0 {
				for j := range buf {
					buf[j] = float32(init)
				}
			}
			ps.b32 = append(ps.b32, buf)
		} else {
			buf := make([]float64, n)
			if init != 0 {
				for j := range buf {
					buf[j] = init
				}
			}
			ps.b64 = append(ps.b64, buf)
		}
	}
	b.params[vg] = ps
	return ps, nil
}

// doStep performs one update of every parameter in model.
func (b *base) doStep(model []gorgonia.ValueGrad) error {
	gs := 1.0
	if b.cfg.clipNorm > 0 {
		var sum float64
		for _, vg := range model {
			_, _, g32, _, g64, err := slices(vg)
			if err != nil {
				return errors.Wrap(err, b.kind)
			}
			sum += sumSquares(g32, g64)
		}
		total := math.Sqrt(sum)
		if c := b.cfg.clipNorm / (total + 1e-6); c < 1 {
			gs = c
		}
	}
	// Validate every parameter first, so that an error leaves all parameter
	// values and moments unchanged.
	b.gen++
	for _, vg := range model {
		dt, p32, _, p64, _, err := slices(vg)
		if err != nil {
			return errors.Wrap(err, b.kind)
		}
		ps, err := b.lookup(vg, dt, len(p32)+len(p64))
		if err != nil {
			return errors.Wrap(err, b.kind)
		}
		if ps.seen == b.gen {
			return errors.Errorf("%s: parameter %q appears twice in one Step", b.kind, ps.name)
		}
		ps.seen = b.gen
	}
	for _, vg := range model {
		dt, p32, g32, p64, g64, _ := slices(vg)
		ps := b.params[vg]
		ps.step++
		baseLR := b.cfg.lr
		if ps.lrOwn {
			baseLR = ps.hp.lr
		}
		lr := b.lrFor(baseLR)
		s := gs
		if ps.hp.maximize {
			s = -s
		}
		if dt == tensor.Float32 {
			b.k.update32(ps, p32, g32, lr, s)
		} else {
			b.k.update64(ps, p64, g64, lr, s)
		}
		if accumulates(vg) {
			clear(g32)
			clear(g64)
		}
	}
	b.step++
	return nil
}
