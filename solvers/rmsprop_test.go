package solvers

import (
	"testing"

	"github.com/stheno-ml/stheno/solvers/solvertest"
)

// TestGoldenRMSProp replays torch.optim.RMSprop trajectories for every
// combination of alpha, centered, momentum, weight decay and maximize.
func TestGoldenRMSProp(t *testing.T) { solvertest.Run(t, factory(t), solvertest.Cases("rmsprop")) }
