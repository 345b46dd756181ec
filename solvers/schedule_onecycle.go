package solvers

import (
	"math"

	"github.com/pkg/errors"
)

// OneCycleLR is the 1cycle policy of torch.optim.lr_scheduler.OneCycleLR:
// the rate rises from MaxLR/DivFactor to MaxLR over the first PctStart of
// TotalSteps, then anneals to MaxLR/(DivFactor·FinalDivFactor); with
// ThreePhase it first comes back down to MaxLR/DivFactor symmetrically and
// anneals to the minimum in a third phase. Use it as a Schedule:
//
//	solvers.WithSchedule(solvers.OneCycleLR{MaxLR: 0.1, TotalSteps: 1000})
//
// The zero value of every field but TotalSteps takes torch's default. As
// torch's default cycle_momentum=True, the momentum moves inversely to the
// rate, from MaxMomentum down to BaseMomentum and back: SGD's and
// RMSProp's momentum, β1 of Adam, AdamW, Adamax, NAdam and RAdam (torch:
// the betas of optimizers that have them). It does so only when the
// OneCycleLR is the solver's schedule itself (not inside Chained,
// Sequential or PerEpoch); a solver without momentum (Adagrad, Adadelta),
// or SGD/RMSProp without WithMomentum, returns an error from Step unless
// FixedMomentum is set.
type OneCycleLR struct {
	// MaxLR is the peak rate (torch: max_lr). Zero means the solver's (or
	// the parameter group's) learning rate, as torch's max_lr list with
	// one entry per group.
	MaxLR float64
	// TotalSteps is the length of the cycle in steps (torch: total_steps,
	// or epochs·steps_per_epoch). It must be positive. Torch raises an
	// error past step TotalSteps; here the rate stays at the value of
	// step TotalSteps.
	TotalSteps int
	// PctStart is the fraction of the cycle spent increasing the rate, in
	// (0, 1]; zero means torch's 0.3.
	PctStart float64
	// AnnealStrategy is "cos" (the default, also for "") or "linear".
	AnnealStrategy string
	// DivFactor sets the initial rate MaxLR/DivFactor; zero means 25.
	DivFactor float64
	// FinalDivFactor sets the minimum rate, initial/FinalDivFactor; zero
	// means 1e4.
	FinalDivFactor float64
	// ThreePhase uses the three-phase schedule of torch's three_phase.
	ThreePhase bool
	// FixedMomentum leaves the momentum alone (torch: cycle_momentum=False).
	FixedMomentum bool
	// BaseMomentum and MaxMomentum bound the cycled momentum; zero means
	// torch's 0.85 and 0.95.
	BaseMomentum, MaxMomentum float64
}

func (s OneCycleLR) defaults() OneCycleLR {
	if s.PctStart == 0 {
		s.PctStart = 0.3
	}
	if s.AnnealStrategy == "" {
		s.AnnealStrategy = "cos"
	}
	if s.DivFactor == 0 {
		s.DivFactor = 25
	}
	if s.FinalDivFactor == 0 {
		s.FinalDivFactor = 1e4
	}
	if s.BaseMomentum == 0 {
		s.BaseMomentum = 0.85
	}
	if s.MaxMomentum == 0 {
		s.MaxMomentum = 0.95
	}
	return s
}

type phase struct {
	end        float64
	start, fin int // rate: 0 initial, 1 max, 2 min
	mom0, mom1 int // momentum: 0 max, 1 base
}

// phases returns the phases of the schedule (an array and a count, so
// that evaluating the schedule allocates nothing).
func (s OneCycleLR) phases() ([3]phase, int) {
	t := float64(s.TotalSteps)
	if s.ThreePhase {
		return [3]phase{
			{s.PctStart*t - 1, 0, 1, 0, 1},
			{2*s.PctStart*t - 2, 1, 0, 1, 0},
			{t - 1, 0, 2, 0, 0},
		}, 3
	}
	return [3]phase{{s.PctStart*t - 1, 0, 1, 0, 1}, {t - 1, 1, 2, 1, 0}}, 2
}

func (s OneCycleLR) check() error {
	d := s.defaults()
	if s.TotalSteps < 1 {
		return errors.Errorf("OneCycleLR: TotalSteps %d must be positive", s.TotalSteps)
	}
	if math.IsNaN(s.MaxLR) || math.IsInf(s.MaxLR, 0) || s.MaxLR < 0 {
		return errors.Errorf("OneCycleLR: MaxLR %v must be finite and non-negative", s.MaxLR)
	}
	if !(d.PctStart > 0 && d.PctStart <= 1) {
		return errors.Errorf("OneCycleLR: PctStart %v must be in (0, 1]", s.PctStart)
	}
	if d.AnnealStrategy != "cos" && d.AnnealStrategy != "linear" {
		return errors.Errorf("OneCycleLR: AnnealStrategy %q must be \"cos\" or \"linear\"", s.AnnealStrategy)
	}
	if !(d.DivFactor > 0) || math.IsInf(d.DivFactor, 0) {
		return errors.Errorf("OneCycleLR: DivFactor %v must be positive and finite", s.DivFactor)
	}
	if !(d.FinalDivFactor > 0) || math.IsInf(d.FinalDivFactor, 0) {
		return errors.Errorf("OneCycleLR: FinalDivFactor %v must be positive and finite", s.FinalDivFactor)
	}
	for _, m := range []struct {
		name string
		v    float64
	}{{"BaseMomentum", d.BaseMomentum}, {"MaxMomentum", d.MaxMomentum}} {
		if !(m.v >= 0 && m.v < 1) {
			return errors.Errorf("OneCycleLR: %s %v must be in [0, 1)", m.name, m.v)
		}
	}
	start := 0.0
	ps, n := d.phases()
	for i, p := range ps[:n] {
		if !(p.end > start) {
			return errors.Errorf("OneCycleLR: phase %d of %d steps with PctStart %v is empty (torch divides by zero)", i+1, s.TotalSteps, d.PctStart)
		}
		start = p.end
	}
	return nil
}

// LR returns the rate of step k, as torch computes it for last_epoch = k.
func (s OneCycleLR) LR(base float64, k int) float64 {
	d := s.defaults()
	maxLR := d.MaxLR
	if maxLR == 0 {
		maxLR = base
	}
	initial := maxLR / d.DivFactor
	lrs := [3]float64{initial, maxLR, initial / d.FinalDivFactor}
	p, pct := d.at(k)
	return d.anneal(lrs[p.start], lrs[p.fin], pct)
}

// momentum returns the momentum of step k when s cycles it.
func (s OneCycleLR) momentum(k int) (float64, bool) {
	if s.FixedMomentum {
		return 0, false
	}
	d := s.defaults()
	moms := [2]float64{d.MaxMomentum, d.BaseMomentum}
	p, pct := d.at(k)
	return d.anneal(moms[p.mom0], moms[p.mom1], pct), true
}

// betas is true: torch's OneCycleLR cycles β1 of optimizers with betas.
func (OneCycleLR) betas() bool { return true }

// at returns the phase of step k and how far into it k is, as torch's
// get_lr (k past TotalSteps counts as TotalSteps).
func (d OneCycleLR) at(k int) (phase, float64) {
	if k > d.TotalSteps {
		k = d.TotalSteps
	}
	ps, n := d.phases()
	start, step := 0.0, float64(k)
	for i, p := range ps[:n] {
		if step <= p.end || i == n-1 {
			return p, (step - start) / (p.end - start)
		}
		start = p.end
	}
	panic("unreachable")
}

func (d OneCycleLR) anneal(a, b, pct float64) float64 {
	if d.AnnealStrategy == "linear" {
		return (b-a)*pct + a
	}
	return b + (a-b)/2.0*(math.Cos(math.Pi*pct)+1)
}
