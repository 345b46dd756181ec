package solvers

import "github.com/pkg/errors"

type chained struct{ scheds []Schedule }

// Chained applies schedules one on top of the other at every step, as
// torch.optim.lr_scheduler.ChainedScheduler (and as torch users get by
// stepping several schedulers of one optimizer): the rate of schedules[0]
// is the base rate of schedules[1], and so on. For the multiplicative
// schedules (StepLR, MultiStepLR, ExponentialLR, LinearLR, and
// ReduceLROnPlateau with a min_lr that is not reached) this is torch's
// product of factors; ReduceLROnPlateau's MinLR clamps the composed rate.
// Schedules must not be empty or nil, else WithSchedule returns an error.
func Chained(schedules ...Schedule) Schedule {
	return chained{append([]Schedule(nil), schedules...)}
}

func (c chained) check() error {
	if len(c.scheds) == 0 {
		return errors.New("Chained: no schedules")
	}
	for i, s := range c.scheds {
		if s == nil {
			return errors.Errorf("Chained: schedule %d is nil", i)
		}
		if err := checkSchedule(s); err != nil {
			return errors.Wrapf(err, "Chained: schedule %d", i)
		}
	}
	return nil
}

func (c chained) LR(base float64, k int) float64 {
	for _, s := range c.scheds {
		base = s.LR(base, k)
	}
	return base
}
