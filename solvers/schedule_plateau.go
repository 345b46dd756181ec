package solvers

import (
	"encoding/binary"
	"math"

	"github.com/pkg/errors"
)

// ReduceLROnPlateau lowers the rate when a metric the caller reports stops
// improving, as torch.optim.lr_scheduler.ReduceLROnPlateau: after more than
// Patience reports without an improvement (better than the best by more
// than Threshold, relative or absolute), the rate is multiplied by Factor
// (not below MinLR, and only if that changes it by more than Eps), and
// Cooldown reports follow in which bad reports are not counted.
//
// Make one with NewReduceLROnPlateau, which sets torch's defaults, change
// its fields, give it to a solver with WithSchedule, and report the metric
// with Step (torch: scheduler.step(val_loss)), typically once per epoch:
//
//	plateau := solvers.NewReduceLROnPlateau()
//	plateau.Patience = 2
//	s, err := solvers.NewSGD(solvers.WithLearnRate(0.1), solvers.WithSchedule(plateau))
//	...
//	plateau.Step(testLoss) // after each epoch
//
// Compose it with other schedules with Chained. Its position (best value,
// counters, reductions) is part of the solver's saved state. It must not be
// shared between solvers, and Step must not run concurrently with the
// solver's Step.
type ReduceLROnPlateau struct {
	// Mode is "min" (the default, also for "") when a lower metric is
	// better, "max" when a higher one is.
	Mode string
	// Factor multiplies the rate at each reduction; in [0, 1).
	Factor float64
	// Patience is the number of reports without improvement that are
	// tolerated; the next one reduces the rate. ≥ 0.
	Patience int
	// Threshold is the margin an improvement must beat; ≥ 0.
	Threshold float64
	// ThresholdMode is "rel" (the default, also for ""): better than
	// best·(1∓Threshold); or "abs": better than best∓Threshold.
	ThresholdMode string
	// Cooldown is the number of reports after a reduction during which
	// bad reports are not counted. ≥ 0.
	Cooldown int
	// MinLR is the lowest rate a reduction goes to. ≥ 0.
	MinLR float64
	// Eps is the smallest change of the rate a reduction makes; smaller
	// ones are skipped. ≥ 0.
	Eps float64

	st plateauState
}

type plateauState struct {
	started    bool
	best       float64
	bad        int64
	cooldown   int64
	reports    int64
	reductions int64
}

// NewReduceLROnPlateau returns a ReduceLROnPlateau with torch's defaults:
// mode "min", factor 0.1, patience 10, threshold 1e-4 relative, cooldown 0,
// min_lr 0, eps 1e-8.
func NewReduceLROnPlateau() *ReduceLROnPlateau {
	return &ReduceLROnPlateau{Mode: "min", Factor: 0.1, Patience: 10, Threshold: 1e-4, ThresholdMode: "rel", Eps: 1e-8}
}

func (p *ReduceLROnPlateau) check() error {
	switch p.Mode {
	case "", "min", "max":
	default:
		return errors.Errorf("ReduceLROnPlateau: Mode %q must be \"min\" or \"max\"", p.Mode)
	}
	switch p.ThresholdMode {
	case "", "rel", "abs":
	default:
		return errors.Errorf("ReduceLROnPlateau: ThresholdMode %q must be \"rel\" or \"abs\"", p.ThresholdMode)
	}
	if !(p.Factor >= 0 && p.Factor < 1) {
		return errors.Errorf("ReduceLROnPlateau: Factor %v must be in [0, 1)", p.Factor)
	}
	if p.Patience < 0 || p.Cooldown < 0 {
		return errors.Errorf("ReduceLROnPlateau: Patience %d and Cooldown %d must not be negative", p.Patience, p.Cooldown)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"Threshold", p.Threshold}, {"MinLR", p.MinLR}, {"Eps", p.Eps}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) || f.v < 0 {
			return errors.Errorf("ReduceLROnPlateau: %s %v must be finite and non-negative", f.name, f.v)
		}
	}
	return nil
}

func (p *ReduceLROnPlateau) better(a float64) bool {
	best := p.st.best
	if !p.st.started {
		best = math.Inf(1)
		if p.Mode == "max" {
			best = math.Inf(-1)
		}
	}
	rel := p.ThresholdMode != "abs"
	switch {
	case p.Mode != "max" && rel:
		return a < best*(1-p.Threshold)
	case p.Mode != "max":
		return a < best-p.Threshold
	case rel:
		return a > best*(p.Threshold+1)
	default:
		return a > best+p.Threshold
	}
}

// Step reports the metric of the epoch just finished (torch:
// scheduler.step(metrics)). The rate of the solver's next Step reflects it.
// A NaN metric counts as no improvement.
func (p *ReduceLROnPlateau) Step(metric float64) {
	s := &p.st
	s.reports++
	if p.better(metric) {
		s.best, s.started, s.bad = metric, true, 0
	} else {
		s.bad++
	}
	if s.cooldown > 0 {
		s.cooldown--
		s.bad = 0
	}
	if s.bad > int64(p.Patience) {
		s.reductions++
		s.cooldown = int64(p.Cooldown)
		s.bad = 0
	}
}

// Reductions returns the number of times the rate was reduced so far.
func (p *ReduceLROnPlateau) Reductions() int { return int(p.st.reductions) }

// LR returns base after the reductions so far, each as torch's: the rate
// times Factor, not below MinLR, applied only if it changes the rate by
// more than Eps. It does not depend on the step.
func (p *ReduceLROnPlateau) LR(base float64, _ int) float64 {
	for i := int64(0); i < p.st.reductions; i++ {
		n := math.Max(base*p.Factor, p.MinLR)
		if !(base-n > p.Eps) {
			break // later reductions would be skipped the same way
		}
		base = n
	}
	return base
}

// appendState appends the position of p to b.
func (p *ReduceLROnPlateau) appendState(b []byte) []byte {
	s := p.st
	started := uint64(0)
	if s.started {
		started = 1
	}
	for _, x := range []uint64{started, math.Float64bits(s.best), uint64(s.bad), uint64(s.cooldown), uint64(s.reports), uint64(s.reductions)} {
		b = binary.LittleEndian.AppendUint64(b, x)
	}
	return b
}

const plateauStateSize = 6 * 8

// decodePlateauState reads a position written by appendState from the
// front of b and returns the rest.
func decodePlateauState(b []byte) (plateauState, []byte, error) {
	if len(b) < plateauStateSize {
		return plateauState{}, nil, errors.New("ReduceLROnPlateau: truncated state")
	}
	u := func(i int) uint64 { return binary.LittleEndian.Uint64(b[8*i:]) }
	s := plateauState{started: u(0) == 1, best: math.Float64frombits(u(1)),
		bad: int64(u(2)), cooldown: int64(u(3)), reports: int64(u(4)), reductions: int64(u(5))}
	if u(0) > 1 || s.bad < 0 || s.cooldown < 0 || s.reports < 0 || s.reductions < 0 || s.reductions > s.reports {
		return plateauState{}, nil, errors.New("ReduceLROnPlateau: implausible state")
	}
	return s, b[plateauStateSize:], nil
}
