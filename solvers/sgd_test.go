package solvers

import (
	"testing"

	"github.com/stheno-ml/stheno/solvers/solvertest"
)

// TestGoldenSGD replays torch.optim.SGD trajectories for every combination
// of momentum, dampening, Nesterov, weight decay and maximize.
func TestGoldenSGD(t *testing.T) { solvertest.Run(t, factory(t), solvertest.Cases("sgd")) }
