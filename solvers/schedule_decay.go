package solvers

import (
	"math"
	"sort"

	"github.com/pkg/errors"
)

type exponential struct{ gamma float64 }

// ExponentialLR decays the rate by gamma every step, as
// torch.optim.lr_scheduler.ExponentialLR: base·gamma^k. gamma must be
// finite and ≥ 0, else WithSchedule returns an error.
func ExponentialLR(gamma float64) Schedule { return exponential{gamma} }

func (s exponential) check() error {
	if math.IsNaN(s.gamma) || math.IsInf(s.gamma, 0) || s.gamma < 0 {
		return errors.Errorf("ExponentialLR: gamma %v must be finite and non-negative", s.gamma)
	}
	return nil
}

func (s exponential) LR(base float64, k int) float64 { return base * math.Pow(s.gamma, float64(k)) }

type multiStep struct {
	milestones []int // sorted
	gamma      float64
}

// MultiStepLR decays the rate by gamma at each milestone, as
// torch.optim.lr_scheduler.MultiStepLR: base·gamma^m where m is the number
// of milestones ≤ k. Milestones may come in any order and repeat (a
// milestone given twice decays twice, as torch counts them); they must be
// ≥ 0, and gamma finite and ≥ 0, else WithSchedule returns an error.
func MultiStepLR(milestones []int, gamma float64) Schedule {
	m := append([]int(nil), milestones...)
	sort.Ints(m)
	return multiStep{m, gamma}
}

func (s multiStep) check() error {
	if len(s.milestones) > 0 && s.milestones[0] < 0 {
		return errors.Errorf("MultiStepLR: milestone %d must not be negative", s.milestones[0])
	}
	if math.IsNaN(s.gamma) || math.IsInf(s.gamma, 0) || s.gamma < 0 {
		return errors.Errorf("MultiStepLR: gamma %v must be finite and non-negative", s.gamma)
	}
	return nil
}

func (s multiStep) LR(base float64, k int) float64 {
	m := sort.Search(len(s.milestones), func(i int) bool { return s.milestones[i] > k })
	return base * math.Pow(s.gamma, float64(m))
}

type constant struct {
	factor float64
	total  int
}

// ConstantLR scales the rate by factor for the first totalIters steps and
// then uses the base rate, as torch.optim.lr_scheduler.ConstantLR:
// base·factor for k < totalIters, base after — and, as torch's step()
// computes it, base·factor for ever when totalIters is 0. factor must be
// in [0, 1] (torch accepts 0 but then divides by it at step totalIters)
// and totalIters ≥ 0, else WithSchedule returns an error.
func ConstantLR(factor float64, totalIters int) Schedule { return constant{factor, totalIters} }

func (s constant) check() error {
	if !(s.factor >= 0 && s.factor <= 1) {
		return errors.Errorf("ConstantLR: factor %v must be in [0, 1]", s.factor)
	}
	if s.total < 0 {
		return errors.Errorf("ConstantLR: totalIters %d must not be negative", s.total)
	}
	return nil
}

func (s constant) LR(base float64, k int) float64 {
	if k >= s.total && s.total > 0 {
		return base
	}
	return base * s.factor
}

type polynomial struct {
	total int
	power float64
}

// PolynomialLR decays the rate to 0 over totalIters steps along a
// polynomial, as torch.optim.lr_scheduler.PolynomialLR:
// base·(1 − min(k, totalIters)/totalIters)^power. totalIters must be
// positive and power finite and ≥ 0, else WithSchedule returns an error.
func PolynomialLR(totalIters int, power float64) Schedule { return polynomial{totalIters, power} }

func (s polynomial) check() error {
	if s.total < 1 {
		return errors.Errorf("PolynomialLR: totalIters %d must be positive", s.total)
	}
	if math.IsNaN(s.power) || math.IsInf(s.power, 0) || s.power < 0 {
		return errors.Errorf("PolynomialLR: power %v must be finite and non-negative", s.power)
	}
	return nil
}

func (s polynomial) LR(base float64, k int) float64 {
	return base * math.Pow(1-float64(min(k, s.total))/float64(s.total), s.power)
}
