package solvers

import (
	"math"

	"github.com/pkg/errors"
)

// optKey identifies an option, so that a solver can reject options that do
// not apply to it.
type optKey uint32

const (
	optLearnRate optKey = 1 << iota
	optMomentum
	optDampening
	optNesterov
	optWeightDecay
	optBetas
	optEps
	optAMSGrad
	optMaximize
	optAlpha
	optCentered
	optLRDecay
	optInitAcc
	optSchedule
	optClip
	optGroup
	optRho
	optMomentumDecay
	optErrorIfNonfinite
)

// optCommon are the options every solver accepts.
const optCommon = optSchedule | optClip | optErrorIfNonfinite | optGroup

var optNames = map[optKey]string{
	optLearnRate:        "WithLearnRate",
	optMomentum:         "WithMomentum",
	optDampening:        "WithDampening",
	optNesterov:         "WithNesterov",
	optWeightDecay:      "WithWeightDecay",
	optBetas:            "WithBetas",
	optEps:              "WithEps",
	optAMSGrad:          "WithAMSGrad",
	optMaximize:         "WithMaximize",
	optAlpha:            "WithAlpha",
	optCentered:         "WithCentered",
	optLRDecay:          "WithLRDecay",
	optInitAcc:          "WithInitialAccumulatorValue",
	optSchedule:         "WithSchedule",
	optClip:             "WithClipGradNorm",
	optGroup:            "WithGroup",
	optRho:              "WithRho",
	optMomentumDecay:    "WithMomentumDecay",
	optErrorIfNonfinite: "WithErrorIfNonfinite",
}

// hyper holds the hyperparameters of one parameter group.
type hyper struct {
	lr          float64
	momentum    float64
	dampening   float64
	nesterov    bool
	weightDecay float64
	beta1       float64
	beta2       float64
	eps         float64
	amsgrad     bool
	maximize    bool
	alpha       float64
	centered    bool
	lrDecay     float64
	initAcc     float64
	rho         float64
	momDecay    float64

	set optKey // which options were given explicitly
}

// group is a parameter group: parameters whose name matches get hyper.
type group struct {
	match func(name string) bool
	opts  []Option
	hp    hyper
}

// config is what the options write into.
type config struct {
	hyper
	schedule Schedule
	clipNorm float64
	// errorIfNonfinite makes a non-finite gradient norm an error (clipping).
	errorIfNonfinite bool
	groups           []group
}

// Option configures a solver: every constructor (NewSGD, NewAdam, ...)
// takes a list of them, and WithGroup takes them per parameter group. This
// is the one way to configure a solver. Options are named after the
// arguments of torch.optim; an option that does not apply to the solver it
// is given to, or a value out of range, is an error returned by the
// constructor. The zero Option is invalid (the constructor reports it).
type Option struct {
	key   optKey
	apply func(c *config) error
}

func finite(name string, x float64) error {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return errors.Errorf("solvers: %s(%v): value must be finite", name, x)
	}
	return nil
}

func nonNegative(name string, x float64) error {
	if err := finite(name, x); err != nil {
		return err
	}
	if x < 0 {
		return errors.Errorf("solvers: %s(%v): value must not be negative", name, x)
	}
	return nil
}

// WithLearnRate sets the learning rate ρ (torch: lr). It must be ≥ 0.
// SGD has no default (as in torch.optim.SGD) and requires it.
func WithLearnRate(lr float64) Option {
	return Option{optLearnRate, func(c *config) error {
		if err := nonNegative("WithLearnRate", lr); err != nil {
			return err
		}
		c.lr = lr
		return nil
	}}
}

// WithMomentum sets the momentum factor μ (torch: momentum) of SGD and
// RMSProp. It must be ≥ 0; the default is 0 (no momentum).
func WithMomentum(mu float64) Option {
	return Option{optMomentum, func(c *config) error {
		if err := nonNegative("WithMomentum", mu); err != nil {
			return err
		}
		c.momentum = mu
		return nil
	}}
}

// WithDampening sets SGD's dampening τ in [0, 1] (torch: dampening): the
// momentum buffer is updated as b ← μb + (1−τ)g. The default is 0.
func WithDampening(tau float64) Option {
	return Option{optDampening, func(c *config) error {
		if err := finite("WithDampening", tau); err != nil {
			return err
		}
		if tau < 0 || tau > 1 {
			return errors.Errorf("solvers: WithDampening(%v): value must be in [0, 1]", tau)
		}
		c.dampening = tau
		return nil
	}}
}

// WithNesterov turns on Nesterov momentum for SGD (torch: nesterov). It
// requires a positive momentum and zero dampening.
func WithNesterov(on bool) Option {
	return Option{optNesterov, func(c *config) error {
		c.nesterov = on
		return nil
	}}
}

// WithWeightDecay sets the weight decay λ ≥ 0 (torch: weight_decay). For SGD,
// Adam, RMSProp, Adagrad, Adadelta, Adamax, NAdam and RAdam it is the
// coupled (L2) form, g ← g + λθ; for AdamW it is the decoupled form
// θ ← θ(1 − ρλ). Defaults: 0, AdamW 0.01.
func WithWeightDecay(lambda float64) Option {
	return Option{optWeightDecay, func(c *config) error {
		if err := nonNegative("WithWeightDecay", lambda); err != nil {
			return err
		}
		c.weightDecay = lambda
		return nil
	}}
}

// WithBetas sets the moment decay rates β1, β2 of Adam, AdamW, Adamax,
// NAdam and RAdam, each in [0, 1) (torch: betas). The default is
// (0.9, 0.999).
func WithBetas(beta1, beta2 float64) Option {
	return Option{optBetas, func(c *config) error {
		for i, b := range []float64{beta1, beta2} {
			if math.IsNaN(b) || b < 0 || b >= 1 {
				return errors.Errorf("solvers: WithBetas(%v, %v): beta%d = %v must be in [0, 1)", beta1, beta2, i+1, b)
			}
		}
		c.beta1, c.beta2 = beta1, beta2
		return nil
	}}
}

// WithRho sets Adadelta's decay rate ρ in [0, 1] of its running averages
// of squared gradients and squared updates (torch: rho). The default is
// 0.9.
func WithRho(rho float64) Option {
	return Option{optRho, func(c *config) error {
		if err := finite("WithRho", rho); err != nil {
			return err
		}
		if rho < 0 || rho > 1 {
			return errors.Errorf("solvers: WithRho(%v): value must be in [0, 1]", rho)
		}
		c.rho = rho
		return nil
	}}
}

// WithMomentumDecay sets NAdam's momentum decay ψ ≥ 0 (torch:
// momentum_decay): the momentum of step t is β1(1 − 0.96^(tψ)/2). The
// default is 4e-3.
func WithMomentumDecay(psi float64) Option {
	return Option{optMomentumDecay, func(c *config) error {
		if err := nonNegative("WithMomentumDecay", psi); err != nil {
			return err
		}
		c.momDecay = psi
		return nil
	}}
}

// WithEps sets the term ε ≥ 0 added to the denominator for numerical
// stability (torch: eps). Defaults: Adam/AdamW/RMSProp/Adamax/NAdam/RAdam
// 1e-8, Adagrad 1e-10, Adadelta 1e-6.
func WithEps(eps float64) Option {
	return Option{optEps, func(c *config) error {
		if err := nonNegative("WithEps", eps); err != nil {
			return err
		}
		c.eps = eps
		return nil
	}}
}

// WithAMSGrad turns on the AMSGrad variant of Adam and AdamW (torch:
// amsgrad): the denominator uses the running maximum of the second moment.
func WithAMSGrad(on bool) Option {
	return Option{optAMSGrad, func(c *config) error {
		c.amsgrad = on
		return nil
	}}
}

// WithMaximize makes the solver maximise the objective instead of minimising
// it (torch: maximize): the gradient's sign is flipped. NAdam and RAdam do
// not accept it: torch 1.13 has no maximize for them.
func WithMaximize(on bool) Option {
	return Option{optMaximize, func(c *config) error {
		c.maximize = on
		return nil
	}}
}

// WithAlpha sets RMSProp's smoothing constant α ≥ 0 (torch: alpha). The
// default is 0.99.
func WithAlpha(alpha float64) Option {
	return Option{optAlpha, func(c *config) error {
		if err := nonNegative("WithAlpha", alpha); err != nil {
			return err
		}
		c.alpha = alpha
		return nil
	}}
}

// WithCentered turns on centered RMSProp (torch: centered): the second
// moment is normalised by the running variance rather than the running
// mean of squares.
func WithCentered(on bool) Option {
	return Option{optCentered, func(c *config) error {
		c.centered = on
		return nil
	}}
}

// WithLRDecay sets Adagrad's learning-rate decay ≥ 0 (torch: lr_decay): the
// step-t learning rate is ρ / (1 + (t−1)·decay).
func WithLRDecay(decay float64) Option {
	return Option{optLRDecay, func(c *config) error {
		if err := nonNegative("WithLRDecay", decay); err != nil {
			return err
		}
		c.lrDecay = decay
		return nil
	}}
}

// WithInitialAccumulatorValue sets the starting value ≥ 0 of Adagrad's sum of
// squared gradients (torch: initial_accumulator_value). The default is 0.
func WithInitialAccumulatorValue(v float64) Option {
	return Option{optInitAcc, func(c *config) error {
		if err := nonNegative("WithInitialAccumulatorValue", v); err != nil {
			return err
		}
		c.initAcc = v
		return nil
	}}
}

// WithSchedule makes the solver take its learning rate from s: at the k-th
// call of Step (k = 0, 1, ...) a parameter whose base learning rate is ρ
// is updated with s.LR(ρ, k). Wrap s in PerEpoch to step it per epoch.
func WithSchedule(s Schedule) Option {
	return Option{optSchedule, func(c *config) error {
		if s == nil {
			return errors.New("solvers: WithSchedule(nil): schedule must not be nil")
		}
		if err := checkSchedule(s); err != nil {
			return errors.Wrap(err, "solvers: WithSchedule")
		}
		c.schedule = s
		return nil
	}}
}

// WithClipGradNorm clips the gradients of each Step by their global L2 norm,
// as torch.nn.utils.clip_grad_norm_(params, maxNorm) called just before
// optimizer.step(): all gradients are scaled by maxNorm/(norm+1e-6) when
// that factor is below 1 — and, as in torch, a NaN or infinite norm makes
// every gradient NaN (or zero), unless WithErrorIfNonfinite makes it an
// error. The gradient tensors themselves are left unchanged; the scaling is
// fused into the update. maxNorm must be > 0.
func WithClipGradNorm(maxNorm float64) Option {
	return Option{optClip, func(c *config) error {
		if err := finite("WithClipGradNorm", maxNorm); err != nil {
			return err
		}
		if maxNorm <= 0 {
			return errors.Errorf("solvers: WithClipGradNorm(%v): value must be positive", maxNorm)
		}
		c.clipNorm = maxNorm
		return nil
	}}
}

// WithErrorIfNonfinite makes Step return an error, changing nothing, when
// the global gradient norm that WithClipGradNorm clips by is NaN or
// infinite (torch: clip_grad_norm_(…, error_if_nonfinite=True)). Without
// it, as in torch, such a norm makes every gradient NaN. It requires
// WithClipGradNorm.
func WithErrorIfNonfinite(on bool) Option {
	return Option{optErrorIfNonfinite, func(c *config) error {
		c.errorIfNonfinite = on
		return nil
	}}
}

// WithGroup declares a parameter group: parameters whose name (the Name()
// of the gorgonia node) satisfies match are updated with opts applied on
// top of the solver's options, like a torch.optim param group. Groups are
// tried in order; the first match wins. Only hyperparameter options
// (learning rate, weight decay, momentum, betas, ...) may be given, not
// WithSchedule, WithClipGradNorm or WithGroup. A group that sets its own
// learning rate keeps it when SetLearnRate changes the solver's rate.
//
// Example: no weight decay on biases:
//
//	solvers.WithGroup(func(n string) bool { return strings.HasPrefix(n, "b") }, solvers.WithWeightDecay(0))
func WithGroup(match func(name string) bool, opts ...Option) Option {
	return Option{optGroup, func(c *config) error {
		if match == nil {
			return errors.New("solvers: WithGroup: match function must not be nil")
		}
		for _, o := range opts {
			switch o.key {
			case optSchedule, optClip, optGroup, optErrorIfNonfinite:
				return errors.Errorf("solvers: WithGroup: %s cannot be set per group", optNames[o.key])
			}
		}
		c.groups = append(c.groups, group{match: match, opts: opts})
		return nil
	}}
}

// build applies opts to a config holding defaults, checking that each
// option is allowed for the solver called name, and validates the result
// with check.
func build(name string, defaults hyper, allowed optKey, check func(h *hyper) error, opts []Option) (*config, error) {
	c := &config{hyper: defaults}
	for _, o := range opts {
		if o.apply == nil {
			return nil, errors.Errorf("solvers: %s: zero Option value", name)
		}
		if o.key&allowed == 0 {
			return nil, errors.Errorf("solvers: %s does not apply to %s", optNames[o.key], name)
		}
		if err := o.apply(c); err != nil {
			return nil, errors.Wrap(err, name)
		}
		c.set |= o.key
	}
	if err := check(&c.hyper); err != nil {
		return nil, errors.Wrap(err, name)
	}
	if c.errorIfNonfinite && c.clipNorm == 0 {
		return nil, errors.Errorf("solvers: %s: WithErrorIfNonfinite applies to gradient clipping and needs WithClipGradNorm", name)
	}
	for i := range c.groups {
		g := &c.groups[i]
		gc := &config{hyper: c.hyper}
		gc.set = 0
		for _, o := range g.opts {
			if o.apply == nil {
				return nil, errors.Errorf("solvers: %s: group %d: zero Option value", name, i)
			}
			if o.key&allowed == 0 {
				return nil, errors.Errorf("solvers: %s does not apply to %s (group %d)", optNames[o.key], name, i)
			}
			if err := o.apply(gc); err != nil {
				return nil, errors.Wrapf(err, "%s: group %d", name, i)
			}
			gc.set |= o.key
		}
		if err := check(&gc.hyper); err != nil {
			return nil, errors.Wrapf(err, "%s: group %d", name, i)
		}
		g.hp = gc.hyper
	}
	return c, nil
}
