package solvers

import "github.com/pkg/errors"

// momentumCycler is a schedule that also sets the momentum of each step
// (OneCycleLR and CyclicLR, as torch's cycle_momentum).
type momentumCycler interface {
	momentum(k int) (float64, bool)
	// betas reports whether it also cycles β1 of the solvers that have
	// betas instead of a momentum (OneCycleLR does, CyclicLR does not).
	betas() bool
}

// cycledMomentum returns the momentum the solver's schedule sets for this
// Step, if it sets one.
func (b *base) cycledMomentum() (float64, bool) {
	c, ok := b.cfg.schedule.(momentumCycler)
	if !ok {
		return 0, false
	}
	return c.momentum(int(b.step))
}

// withMomentum points ps.hp at a copy of its hyperparameters with the
// cycled momentum m — SGD's and RMSProp's momentum, the others' β1, as
// torch's OneCycleLR — and returns the original to restore after the
// update. A solver without momentum, or a group whose momentum is off
// (no buffer to cycle), is an error.
func (b *base) withMomentum(ps *param, m float64) (*hyper, error) {
	orig := ps.hp
	ps.cyc = *orig
	switch b.kind {
	case "SGD", "RMSProp":
		if orig.momentum == 0 {
			return nil, errors.Errorf("%s: the schedule cycles the momentum (torch's cycle_momentum), but parameter %q has momentum 0; give WithMomentum or set the schedule's FixedMomentum", b.kind, ps.name)
		}
		ps.cyc.momentum = m
	case "Adam", "AdamW", "Adamax", "NAdam", "RAdam":
		if c, _ := b.cfg.schedule.(momentumCycler); !c.betas() {
			return nil, errors.Errorf("%s: CyclicLR cycles the momentum (torch's cycle_momentum), but %s has betas, not a momentum; set CyclicLR.FixedMomentum", b.kind, b.kind)
		}
		ps.cyc.beta1 = m
	default:
		return nil, errors.Errorf("%s: the schedule cycles the momentum (torch's cycle_momentum), but %s has none; set its FixedMomentum", b.kind, b.kind)
	}
	ps.hp = &ps.cyc
	return orig, nil
}
