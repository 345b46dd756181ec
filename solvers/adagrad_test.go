package solvers

import (
	"testing"

	"github.com/stheno-ml/stheno/solvers/solvertest"
)

// TestGoldenAdagrad replays torch.optim.Adagrad trajectories for every
// combination of lr decay, initial accumulator, weight decay, eps and
// maximize, with the extras (schedules, clipping, defaults) of Adagrad.
func TestGoldenAdagrad(t *testing.T) { solvertest.Run(t, factory(t), solvertest.Cases("adagrad")) }
