package solvers

import (
	"io"
	"math"
	"reflect"
	"unsafe"

	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/internal/num"
	"github.com/stheno-ml/stheno/internal/par"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Solver is what every solver in this package implements: a gorgonia.Solver
// whose full state can be saved and restored, and whose learning rate and
// position can be read and changed between steps.
type Solver interface {
	gorgonia.Solver
	// SaveState writes the solver's state (moments, step counts, schedule
	// position, learning rate), keyed by parameter name.
	SaveState(w io.Writer) error
	// LoadState replaces the solver's state with one written by SaveState.
	LoadState(r io.Reader) error
	// SetLearnRate sets the base learning rate ρ of the solver (and of every
	// group that does not set its own). A rate that is NaN, infinite or
	// negative makes the next Step return an error before changing anything.
	SetLearnRate(lr float64)
	// LearnRate returns the base learning rate ρ (before any schedule).
	LearnRate() float64
	// ScheduledLR returns the learning rate the next Step uses for a
	// parameter of the default group: the schedule applied to LearnRate
	// (LearnRate itself without a schedule).
	ScheduledLR() float64
	// Steps returns the number of completed calls to Step (the schedule
	// position).
	Steps() int
}

// minWork is the fewest elements worth a part of their own in par.For:
// parameters of at least 2·minWork elements are split.
const minWork = 1 << 16

// algorithm is the dtype-independent part of a solver: how many state
// buffers a parameter needs and how they start.
type algorithm interface {
	// nbuf is the number of parameter-sized state buffers for hp.
	nbuf(hp *hyper) int
	// initBuf is the initial value of buffer i.
	initBuf(hp *hyper, i int) float64
}

// kernel is one solver algorithm's update for element type T, as a par.Job
// over the elements of one parameter. Each solver has one generic kernel
// type, instantiated for float32 and float64.
type kernel[T num.Float] interface {
	par.Job
	// set prepares the update of one parameter: p and g its value and
	// gradient, bufs its state buffers, lr the scheduled learning rate, gs
	// the gradient scale (clipping and maximize folded in).
	set(ps *param, p, g []T, bufs [][]T, lr, gs float64)
	// reset drops the references set took.
	reset()
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
	bufs  any    // [][]float32 or [][]float64, one per state buffer
	seen  uint64 // generation of the last Step that touched it
	cyc   hyper  // hp with the momentum of this Step, when the schedule cycles it
}

// bufsOf returns the state buffers of ps as [][]T.
func bufsOf[T num.Float](ps *param) [][]T {
	b, _ := ps.bufs.([][]T)
	return b
}

// nbufs returns how many state buffers ps holds.
func (ps *param) nbufs() int {
	switch b := ps.bufs.(type) {
	case [][]float32:
		return len(b)
	case [][]float64:
		return len(b)
	}
	return 0
}

// newBufs returns nb buffers of n elements, buffer i filled with init(i).
func newBufs[T num.Float](nb, n int, init func(i int) float64) [][]T {
	out := make([][]T, nb)
	for i := range out {
		out[i] = make([]T, n)
		if x := T(init(i)); x != 0 {
			for j := range out[i] {
				out[i][j] = x
			}
		}
	}
	return out
}

// key identifies a parameter's state: its name, as torch.optim's
// state_dict keys state by parameter, so that two programs (say two
// graph.Trainers for two batch sizes) whose nodes of one name share a value
// share one state; an unnamed parameter is keyed by the ValueGrad itself.
type key struct {
	name string
	vg   gorgonia.ValueGrad // nil when name is set
}

// keyOf returns the key of vg's state.
func keyOf(vg gorgonia.ValueGrad) key {
	if name := nameOf(vg); name != "" {
		return key{name: name}
	}
	return key{vg: vg}
}

// base holds what all solvers share: configuration, per-parameter state
// keyed by parameter name, the schedule position, and the solver's kernel
// for each dtype.
type base struct {
	kind string
	alg  algorithm
	k32  kernel[float32]
	k64  kernel[float64]
	cfg  *config

	// step is the number of completed calls to Step (the schedule position).
	step int64
	// params holds the state of every parameter seen or loaded; a loaded
	// state is checked against its parameter (hp == nil until then).
	params map[key]*param
	gen    uint64
}

func newBase(kind string, cfg *config, alg algorithm, k32 kernel[float32], k64 kernel[float64]) base {
	return base{
		kind:   kind,
		alg:    alg,
		k32:    k32,
		k64:    k64,
		cfg:    cfg,
		params: make(map[key]*param),
	}
}

// SetLearnRate sets the base learning rate. Groups that set their own
// learning rate keep it. The rate must be finite and ≥ 0: the next Step
// returns an error, before changing anything, for one that is not.
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

// check validates vg and returns its dtype and number of elements.
func check(vg gorgonia.ValueGrad) (tensor.Dtype, int, error) {
	if vg == nil {
		return tensor.Dtype{}, 0, errors.New("nil parameter")
	}
	if n, ok := vg.(*gorgonia.Node); ok && n == nil {
		return tensor.Dtype{}, 0, errors.New("nil *gorgonia.Node parameter")
	}
	if !reflect.TypeOf(vg).Comparable() {
		return tensor.Dtype{}, 0, errors.Errorf("parameter of type %T is not comparable; solvers key state by the ValueGrad, pass a pointer", vg)
	}
	val := vg.Value()
	if val == nil {
		return tensor.Dtype{}, 0, errors.Errorf("parameter %q has no value", nameOf(vg))
	}
	dt := val.Dtype()
	var n int
	var err error
	switch dt {
	case tensor.Float32:
		n, err = checkViews[float32](vg)
	case tensor.Float64:
		n, err = checkViews[float64](vg)
	default:
		err = errors.Errorf("parameter %q has dtype %v; only float32 and float64 are supported", nameOf(vg), dt)
	}
	return dt, n, err
}

func checkViews[T num.Float](vg gorgonia.ValueGrad) (int, error) {
	p, g, err := views[T](vg)
	if err != nil {
		return 0, err
	}
	grad, _ := gradOf(vg)
	vs, gs := vg.Value().Shape(), grad.Shape()
	if !num.SameShape(vs, gs) && !(vs.IsScalarEquiv() && gs.IsScalarEquiv()) || len(p) != len(g) {
		return 0, errors.Errorf("parameter %q has shape %v but its gradient %v", nameOf(vg), vs, gs)
	}
	return len(p), nil
}

// views returns the value and gradient of vg as slices sharing their
// memory, so that writing into the value slice updates the parameter in
// place.
func views[T num.Float](vg gorgonia.ValueGrad) (p, g []T, err error) {
	if p, err = view[T](vg.Value()); err != nil {
		return nil, nil, errors.Wrapf(err, "value of parameter %q", nameOf(vg))
	}
	grad, err := gradOf(vg)
	if err != nil {
		return nil, nil, errors.Wrapf(err, "parameter %q has no gradient", nameOf(vg))
	}
	if grad == nil {
		return nil, nil, errors.Errorf("parameter %q has no gradient", nameOf(vg))
	}
	if g, err = view[T](grad); err != nil {
		return nil, nil, errors.Wrapf(err, "gradient of parameter %q", nameOf(vg))
	}
	return p, g, nil
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

// view returns the data of v as []T without copying.
func view[T num.Float](v gorgonia.Value) ([]T, error) {
	want := num.Dtype[T]()
	switch t := v.(type) {
	case *tensor.Dense:
		if t.Dtype() != want {
			return nil, errors.Errorf("dtype %v, want %v", t.Dtype(), want)
		}
		if t.RequiresIterator() {
			return nil, errors.New("tensor is not contiguous")
		}
		if num.Is32[T]() {
			return retype[float32, T](t.Float32s()), nil
		}
		return retype[float64, T](t.Float64s()), nil
	case *gorgonia.F32:
		if d, ok := any((*float32)(t)).(*T); ok {
			return unsafe.Slice(d, 1), nil
		}
	case *gorgonia.F64:
		if d, ok := any((*float64)(t)).(*T); ok {
			return unsafe.Slice(d, 1), nil
		}
	}
	return nil, errors.Errorf("unsupported value type %T (dtype %v), want *tensor.Dense or a scalar of dtype %v", v, v.Dtype(), want)
}

// retype reinterprets s as []T; F and T are the same type.
func retype[F, T num.Float](s []F) []T {
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// lookup returns the state of vg, creating it on first sight or checking a
// loaded one against the parameter.
func (b *base) lookup(vg gorgonia.ValueGrad, dt tensor.Dtype, n int) (*param, error) {
	k := keyOf(vg)
	ps := b.params[k]
	if ps != nil && ps.hp != nil {
		if ps.dtype != dt || ps.n != n {
			return nil, errors.Errorf("parameter %q changed from %d %v to %d %v elements between steps", ps.name, ps.n, ps.dtype, n, dt)
		}
		return ps, nil
	}
	name := k.name
	hp, own := &b.cfg.hyper, false
	for i := range b.cfg.groups {
		g := &b.cfg.groups[i]
		if g.match(name) {
			hp, own = &g.hp, g.hp.set&optLearnRate != 0
			break
		}
	}
	nb := b.alg.nbuf(hp)
	if ps != nil { // loaded by LoadState
		if ps.dtype != dt || ps.n != n || ps.nbufs() != nb {
			return nil, errors.Errorf("loaded state of parameter %q has %d %v elements and %d buffers, parameter has %d %v elements and needs %d",
				name, ps.n, ps.dtype, ps.nbufs(), n, dt, nb)
		}
		ps.hp, ps.lrOwn = hp, own
		return ps, nil
	}
	ps = &param{name: name, hp: hp, lrOwn: own, dtype: dt, n: n}
	init := func(i int) float64 { return b.alg.initBuf(hp, i) }
	if dt == tensor.Float32 {
		ps.bufs = newBufs[float32](nb, n, init)
	} else {
		ps.bufs = newBufs[float64](nb, n, init)
	}
	b.params[k] = ps
	return ps, nil
}

// checkLR returns an error unless lr is a usable learning rate.
func checkLR(lr float64) error {
	if math.IsNaN(lr) || math.IsInf(lr, 0) || lr < 0 {
		return errors.Errorf("learning rate %v must be finite and non-negative", lr)
	}
	return nil
}

// lrOf returns the learning rate of ps's next update: its group's or the
// solver's base rate, through the schedule, and says which it is when it is
// not usable.
func (b *base) lrOf(ps *param) (float64, error) {
	baseLR, src := b.cfg.lr, "the solver's"
	if ps.lrOwn {
		baseLR, src = ps.hp.lr, "its group's"
	}
	if err := checkLR(baseLR); err != nil {
		return 0, errors.Wrapf(err, "parameter %q: %s base rate (SetLearnRate or LoadState)", ps.name, src)
	}
	lr := b.lrFor(baseLR)
	if err := checkLR(lr); err != nil {
		return 0, errors.Wrapf(err, "parameter %q: the schedule at step %d (base rate %v)", ps.name, b.step, baseLR)
	}
	return lr, nil
}

// doStep performs one update of every parameter in model. Everything is
// checked first, so that an error leaves all parameter values and moments
// unchanged.
func (b *base) doStep(model []gorgonia.ValueGrad) error {
	gs := 1.0
	if b.cfg.clipNorm > 0 {
		total, err := GlobalGradNorm(model)
		if err != nil {
			return errors.Wrap(err, b.kind)
		}
		if b.cfg.errorIfNonfinite && (math.IsNaN(total) || math.IsInf(total, 0)) {
			return errors.Errorf("%s: the total norm of the gradients is non-finite (%v), so clipping them is impossible (WithErrorIfNonfinite)", b.kind, total)
		}
		// As clip_grad_norm_: the factor is clamped to 1; a NaN norm makes
		// it NaN, and with it every gradient.
		if c := b.cfg.clipNorm / (total + 1e-6); !(c >= 1) {
			gs = c
		}
	}
	b.gen++
	for _, vg := range model {
		dt, n, err := check(vg)
		if err != nil {
			return errors.Wrap(err, b.kind)
		}
		ps, err := b.lookup(vg, dt, n)
		if err != nil {
			return errors.Wrap(err, b.kind)
		}
		if ps.seen == b.gen {
			return errors.Errorf("%s: parameter %q appears twice in one Step (parameters are identified by name)", b.kind, ps.name)
		}
		ps.seen = b.gen
		if m, ok := b.cycledMomentum(); ok {
			orig, err := b.withMomentum(ps, m)
			if err != nil {
				return err
			}
			ps.hp = orig
		}
		if _, err := b.lrOf(ps); err != nil {
			return errors.Wrap(err, b.kind)
		}
	}
	mom, cycle := b.cycledMomentum()
	for _, vg := range model {
		ps := b.params[keyOf(vg)]
		lr, _ := b.lrOf(ps)
		ps.step++
		s := gs
		if ps.hp.maximize {
			s = -s
		}
		orig := ps.hp
		if cycle {
			orig, _ = b.withMomentum(ps, mom) // checked above
		}
		if ps.dtype == tensor.Float32 {
			update(b.k32, vg, ps, lr, s)
		} else {
			update(b.k64, vg, ps, lr, s)
		}
		ps.hp = orig
	}
	b.step++
	return nil
}

// update runs k over the elements of vg (already validated) and zeroes an
// accumulating gradient.
func update[T num.Float](k kernel[T], vg gorgonia.ValueGrad, ps *param, lr, gs float64) {
	p, g, _ := views[T](vg)
	k.set(ps, p, g, bufsOf[T](ps), lr, gs)
	par.For(len(p), minWork, k)
	k.reset()
	if accumulates(vg) {
		clear(g)
	}
}

// sub returns s[lo:hi], or nil for a nil s (an absent optional buffer).
func sub[T num.Float](s []T, lo, hi int) []T {
	if s == nil {
		return nil
	}
	return s[lo:hi]
}

// sqrt is math.Sqrt in T (exact for float32: the float64 square root of a
// float32 rounds to the correctly rounded float32 square root).
func sqrt[T num.Float](x T) T { return T(math.Sqrt(float64(x))) }
