package solvers

import (
	"testing"

	"github.com/stheno-ml/stheno/solvers/solvertest"
)

// TestGoldenAdam replays torch.optim.Adam trajectories for every
// combination of AMSGrad, weight decay, maximize, betas and eps.
func TestGoldenAdam(t *testing.T) { solvertest.Run(t, factory(t), solvertest.Cases("adam")) }

// TestGoldenAdamW is TestGoldenAdam for torch.optim.AdamW.
func TestGoldenAdamW(t *testing.T) { solvertest.Run(t, factory(t), solvertest.Cases("adamw")) }
