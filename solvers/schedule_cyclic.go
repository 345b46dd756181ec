package solvers

import (
	"math"

	"github.com/pkg/errors"
)

// CyclicLR cycles the rate between the solver's rate and MaxLR, as
// torch.optim.lr_scheduler.CyclicLR (Smith's cyclical learning rates): up
// over StepSizeUp steps, down over StepSizeDown, the amplitude scaled per
// Mode. torch's base_lr is the solver's learning rate (torch sets the
// group's lr to it), so CyclicLR(opt, base_lr=a, max_lr=b) is
//
//	solvers.WithLearnRate(a), solvers.WithSchedule(solvers.CyclicLR{MaxLR: b})
//
// As torch's default cycle_momentum=True, the momentum cycles inversely
// between BaseMomentum and MaxMomentum — for SGD and RMSProp, which have a
// momentum option (given WithMomentum); for other solvers Step returns an
// error, as torch's constructor does, unless FixedMomentum is set. It does
// so only when the CyclicLR is the solver's schedule itself. The zero
// value of every field but MaxLR takes torch's default; a custom scale_fn
// is not supported (use ScheduleFunc).
type CyclicLR struct {
	// MaxLR is the upper rate of the cycle (torch: max_lr).
	MaxLR float64
	// StepSizeUp and StepSizeDown are the steps of the rising and the
	// falling half; zero means 2000, and for StepSizeDown StepSizeUp.
	StepSizeUp, StepSizeDown int
	// Mode is "triangular" (the default, also for ""), "triangular2" (the
	// amplitude halves every cycle) or "exp_range" (it is scaled by
	// Gamma^k).
	Mode string
	// Gamma is exp_range's factor; zero means torch's 1.
	Gamma float64
	// FixedMomentum leaves the momentum alone (torch: cycle_momentum=False).
	FixedMomentum bool
	// BaseMomentum and MaxMomentum bound the cycled momentum; zero means
	// torch's 0.8 and 0.9.
	BaseMomentum, MaxMomentum float64
}

func (s CyclicLR) defaults() CyclicLR {
	if s.StepSizeUp == 0 {
		s.StepSizeUp = 2000
	}
	if s.StepSizeDown == 0 {
		s.StepSizeDown = s.StepSizeUp
	}
	if s.Mode == "" {
		s.Mode = "triangular"
	}
	if s.Gamma == 0 {
		s.Gamma = 1
	}
	if s.BaseMomentum == 0 {
		s.BaseMomentum = 0.8
	}
	if s.MaxMomentum == 0 {
		s.MaxMomentum = 0.9
	}
	return s
}

func (s CyclicLR) check() error {
	d := s.defaults()
	if math.IsNaN(s.MaxLR) || math.IsInf(s.MaxLR, 0) || s.MaxLR < 0 {
		return errors.Errorf("CyclicLR: MaxLR %v must be finite and non-negative", s.MaxLR)
	}
	if d.StepSizeUp < 1 || d.StepSizeDown < 1 {
		return errors.Errorf("CyclicLR: StepSizeUp %d and StepSizeDown %d must be positive", s.StepSizeUp, s.StepSizeDown)
	}
	switch d.Mode {
	case "triangular", "triangular2", "exp_range":
	default:
		return errors.Errorf("CyclicLR: Mode %q must be \"triangular\", \"triangular2\" or \"exp_range\"", s.Mode)
	}
	if math.IsNaN(d.Gamma) || math.IsInf(d.Gamma, 0) || d.Gamma < 0 {
		return errors.Errorf("CyclicLR: Gamma %v must be finite and non-negative", s.Gamma)
	}
	for _, m := range []struct {
		name string
		v    float64
	}{{"BaseMomentum", d.BaseMomentum}, {"MaxMomentum", d.MaxMomentum}} {
		if !(m.v >= 0 && m.v < 1) {
			return errors.Errorf("CyclicLR: %s %v must be in [0, 1)", m.name, m.v)
		}
	}
	return nil
}

// at returns torch's scale_factor and the amplitude scale of step k.
func (d CyclicLR) at(k int) (factor, scale float64) {
	total := float64(d.StepSizeUp) + float64(d.StepSizeDown)
	ratio := float64(d.StepSizeUp) / total
	cycle := math.Floor(1 + float64(k)/total)
	x := 1. + float64(k)/total - cycle
	if x <= ratio {
		factor = x / ratio
	} else {
		factor = (x - 1) / (ratio - 1)
	}
	switch d.Mode {
	case "triangular2":
		scale = 1 / math.Pow(2, cycle-1)
	case "exp_range":
		scale = math.Pow(d.Gamma, float64(k))
	default:
		scale = 1
	}
	return factor, scale
}

// LR returns the rate of step k: base + (MaxLR − base)·factor·scale.
func (s CyclicLR) LR(base float64, k int) float64 {
	d := s.defaults()
	f, sc := d.at(k)
	return base + (d.MaxLR-base)*f*sc
}

func (s CyclicLR) momentum(k int) (float64, bool) {
	if s.FixedMomentum {
		return 0, false
	}
	d := s.defaults()
	f, sc := d.at(k)
	return d.MaxMomentum - (d.MaxMomentum-d.BaseMomentum)*f*sc, true
}

// betas is false: torch's CyclicLR cycles only a 'momentum' option.
func (CyclicLR) betas() bool { return false }
