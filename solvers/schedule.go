package solvers

import (
	"math"

	"github.com/pkg/errors"
)

// checker is implemented by schedules that can be built with invalid
// arguments; WithSchedule reports the error.
type checker interface{ check() error }

func checkSchedule(s Schedule) error {
	if c, ok := s.(checker); ok {
		return c.check()
	}
	return nil
}

// Schedule gives the learning rate at a step from the base learning rate,
// like torch.optim.lr_scheduler in closed form: LR(base, k) is the rate
// used by the k-th update (k = 0 for the first). A solver given
// WithSchedule(s) evaluates it with k = the number of completed Step calls;
// wrap s in PerEpoch to advance it once per epoch instead, as torch users do
// when they call scheduler.step() once per epoch.
type Schedule interface {
	LR(base float64, step int) float64
}

// ScheduleFunc adapts a function to a Schedule (torch's LambdaLR with the
// function returning the rate itself rather than a factor).
type ScheduleFunc func(base float64, step int) float64

// LR calls f.
func (f ScheduleFunc) LR(base float64, step int) float64 { return f(base, step) }

type stepLR struct {
	size  int
	gamma float64
}

// StepLR decays the rate by gamma every stepSize steps, as
// torch.optim.lr_scheduler.StepLR: base·gamma^⌊k/stepSize⌋. stepSize must be
// positive and gamma finite and ≥ 0, else WithSchedule returns an error.
func StepLR(stepSize int, gamma float64) Schedule {
	return stepLR{stepSize, gamma}
}

func (s stepLR) check() error {
	if s.size < 1 {
		return errors.Errorf("StepLR: stepSize %d must be positive", s.size)
	}
	if math.IsNaN(s.gamma) || math.IsInf(s.gamma, 0) || s.gamma < 0 {
		return errors.Errorf("StepLR: gamma %v must be finite and non-negative", s.gamma)
	}
	return nil
}

func (s stepLR) LR(base float64, k int) float64 {
	return base * math.Pow(s.gamma, float64(k/s.size))
}

type cosine struct {
	tMax   int
	etaMin float64
}

// CosineAnnealingLR anneals the rate from base to etaMin over tMax steps
// along a half cosine, as torch.optim.lr_scheduler.CosineAnnealingLR:
// etaMin + (base−etaMin)(1 + cos(πk/tMax))/2 (periodic beyond tMax, as in
// torch). tMax must be positive and etaMin finite and ≥ 0, else WithSchedule
// returns an error.
func CosineAnnealingLR(tMax int, etaMin float64) Schedule {
	return cosine{tMax, etaMin}
}

func (s cosine) check() error {
	if s.tMax < 1 {
		return errors.Errorf("CosineAnnealingLR: tMax %d must be positive", s.tMax)
	}
	if math.IsNaN(s.etaMin) || math.IsInf(s.etaMin, 0) || s.etaMin < 0 {
		return errors.Errorf("CosineAnnealingLR: etaMin %v must be finite and non-negative", s.etaMin)
	}
	return nil
}

func (s cosine) LR(base float64, k int) float64 {
	return s.etaMin + (base-s.etaMin)*(1+math.Cos(math.Pi*float64(k)/float64(s.tMax)))/2
}

type linear struct {
	start, end float64
	total      int
}

// LinearLR scales the rate by a factor going linearly from startFactor to
// endFactor over totalIters steps and staying at endFactor after, as
// torch.optim.lr_scheduler.LinearLR. As in torch, startFactor must be in
// (0, 1], endFactor in [0, 1] and totalIters positive, else WithSchedule
// returns an error.
func LinearLR(startFactor, endFactor float64, totalIters int) Schedule {
	return linear{startFactor, endFactor, totalIters}
}

func (s linear) check() error {
	if !(s.start > 0 && s.start <= 1) {
		return errors.Errorf("LinearLR: startFactor %v must be in (0, 1]", s.start)
	}
	if !(s.end >= 0 && s.end <= 1) {
		return errors.Errorf("LinearLR: endFactor %v must be in [0, 1]", s.end)
	}
	if s.total < 1 {
		return errors.Errorf("LinearLR: totalIters %d must be positive", s.total)
	}
	return nil
}

func (s linear) LR(base float64, k int) float64 {
	if k > s.total {
		k = s.total
	}
	return base * (s.start + (s.end-s.start)*float64(k)/float64(s.total))
}

// LinearWarmup ramps the rate linearly from startFactor·base to base over
// steps steps: LinearLR(startFactor, 1, steps). Compose it with Sequential
// to follow the warmup with another schedule.
func LinearWarmup(startFactor float64, steps int) Schedule {
	return LinearLR(startFactor, 1, steps)
}

type sequential struct {
	scheds     []Schedule
	milestones []int
}

// Sequential runs schedules one after the other, as
// torch.optim.lr_scheduler.SequentialLR: schedules[i] is used from step
// milestones[i−1] on, restarted at its own step 0. len(milestones) must be
// len(schedules)−1 and increasing, else WithSchedule returns an error.
// Warmup then cosine:
//
//	Sequential([]Schedule{LinearWarmup(0.1, 5), CosineAnnealingLR(95, 0)}, []int{5})
func Sequential(schedules []Schedule, milestones []int) Schedule {
	return sequential{append([]Schedule(nil), schedules...), append([]int(nil), milestones...)}
}

func (s sequential) check() error {
	if len(s.scheds) == 0 || len(s.milestones) != len(s.scheds)-1 {
		return errors.Errorf("Sequential: %d schedules need %d milestones, got %d", len(s.scheds), len(s.scheds)-1, len(s.milestones))
	}
	for i, m := range s.milestones {
		if m < 1 || (i > 0 && m <= s.milestones[i-1]) {
			return errors.Errorf("Sequential: milestones %v must be positive and increasing", s.milestones)
		}
	}
	for i, sc := range s.scheds {
		if sc == nil {
			return errors.Errorf("Sequential: schedule %d is nil", i)
		}
		if err := checkSchedule(sc); err != nil {
			return errors.Wrapf(err, "Sequential: schedule %d", i)
		}
	}
	return nil
}

func (s sequential) LR(base float64, k int) float64 {
	i, start := 0, 0
	for i < len(s.milestones) && k >= s.milestones[i] {
		start = s.milestones[i]
		i++
	}
	return s.scheds[i].LR(base, k-start)
}

type perEpoch struct {
	s     Schedule
	steps int
}

// PerEpoch advances s once every stepsPerEpoch steps, so that a schedule
// written in epochs (as most torch code steps its scheduler) can drive a
// solver whose Step is called per batch. stepsPerEpoch must be positive,
// else WithSchedule returns an error.
func PerEpoch(s Schedule, stepsPerEpoch int) Schedule {
	return perEpoch{s, stepsPerEpoch}
}

func (p perEpoch) check() error {
	if p.steps < 1 {
		return errors.Errorf("PerEpoch: stepsPerEpoch %d must be positive", p.steps)
	}
	if p.s == nil {
		return errors.New("PerEpoch: schedule is nil")
	}
	return checkSchedule(p.s)
}

func (p perEpoch) LR(base float64, k int) float64 { return p.s.LR(base, k/p.steps) }
