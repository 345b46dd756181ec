package solvers

import (
	"math"

	"github.com/pkg/errors"
)

type warmRestarts struct {
	t0, tMult int
	etaMin    float64
}

// CosineAnnealingWarmRestarts anneals the rate from base to etaMin along a
// half cosine over t0 steps and then restarts, each period tMult times the
// last (SGDR, Loshchilov & Hutter), as
// torch.optim.lr_scheduler.CosineAnnealingWarmRestarts stepped once per
// step: etaMin + (base − etaMin)(1 + cos(π·Tcur/Ti))/2, with Tcur the
// steps since the last restart and Ti the current period. t0 must be
// positive, tMult ≥ 1 and etaMin finite and ≥ 0, else WithSchedule returns
// an error.
func CosineAnnealingWarmRestarts(t0, tMult int, etaMin float64) Schedule {
	return warmRestarts{t0, tMult, etaMin}
}

func (s warmRestarts) check() error {
	if s.t0 < 1 {
		return errors.Errorf("CosineAnnealingWarmRestarts: t0 %d must be positive", s.t0)
	}
	if s.tMult < 1 {
		return errors.Errorf("CosineAnnealingWarmRestarts: tMult %d must be at least 1", s.tMult)
	}
	if math.IsNaN(s.etaMin) || math.IsInf(s.etaMin, 0) || s.etaMin < 0 {
		return errors.Errorf("CosineAnnealingWarmRestarts: etaMin %v must be finite and non-negative", s.etaMin)
	}
	return nil
}

// LR returns the rate of step k: torch's Tcur and Ti after k calls of
// step(), found period by period (a number of periods logarithmic in k
// when tMult > 1).
func (s warmRestarts) LR(base float64, k int) float64 {
	cur, ti := k, s.t0
	if s.tMult == 1 {
		cur %= ti
	} else {
		for cur >= ti {
			cur -= ti
			ti *= s.tMult
		}
	}
	return s.etaMin + (base-s.etaMin)*(1+math.Cos(math.Pi*float64(cur)/float64(ti)))/2
}
