package solvers

import "github.com/pkg/errors"

// Most schedules are closed forms of the step count, which the solver's
// state holds. ReduceLROnPlateau also has a position of its own (best
// metric, counters); SaveState stores it after the parameters, for every
// such schedule in the schedule tree (Chained, Sequential, PerEpoch) in
// depth-first order.

// parentSchedule is a schedule made of others.
type parentSchedule interface{ children() []Schedule }

func (c chained) children() []Schedule    { return c.scheds }
func (s sequential) children() []Schedule { return s.scheds }
func (p perEpoch) children() []Schedule   { return []Schedule{p.s} }

// plateausOf returns the ReduceLROnPlateau schedules in s, depth first.
func plateausOf(s Schedule, out []*ReduceLROnPlateau) []*ReduceLROnPlateau {
	switch s := s.(type) {
	case *ReduceLROnPlateau:
		return append(out, s)
	case parentSchedule:
		for _, c := range s.children() {
			out = plateausOf(c, out)
		}
	}
	return out
}

// appendScheduleState appends the positions of the stateful schedules in s.
func appendScheduleState(b []byte, s Schedule) []byte {
	for _, p := range plateausOf(s, nil) {
		b = p.appendState(b)
	}
	return b
}

// loadScheduleState decodes positions written by appendScheduleState for
// the schedule s and returns the function that installs them, so that a
// caller can validate everything before changing anything. A nil raw
// (a state written before schedules had positions) resets them.
func loadScheduleState(s Schedule, raw []byte, fresh bool) (func(), error) {
	ps := plateausOf(s, nil)
	states := make([]plateauState, len(ps))
	if !fresh {
		if len(raw) == 0 && len(ps) > 0 {
			return nil, errors.Errorf("the state holds no position for the solver's %d ReduceLROnPlateau: saved with another schedule", len(ps))
		}
		for i := range ps {
			st, rest, err := decodePlateauState(raw)
			if err != nil {
				return nil, errors.Wrapf(err, "schedule state %d of %d", i+1, len(ps))
			}
			states[i], raw = st, rest
		}
		if len(raw) != 0 {
			return nil, errors.Errorf("schedule state has %d bytes more than the solver's schedule (%d ReduceLROnPlateau) holds: saved with another schedule", len(raw), len(ps))
		}
	}
	return func() {
		for i, p := range ps {
			p.st = states[i]
		}
	}, nil
}
