package solvers

import "testing"

// TestGoldenAdam replays torch.optim.Adam trajectories for every
// combination of AMSGrad, weight decay, maximize, betas and eps.
func TestGoldenAdam(t *testing.T) { replayGolden(t, "adam.json") }

// TestGoldenAdamW is TestGoldenAdam for torch.optim.AdamW.
func TestGoldenAdamW(t *testing.T) { replayGolden(t, "adamw.json") }
