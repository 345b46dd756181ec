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
