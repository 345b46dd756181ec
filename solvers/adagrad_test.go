package solvers

import "testing"

// TestGoldenAdagrad replays torch.optim.Adagrad trajectories for every
// combination of lr decay, initial accumulator, weight decay, eps and
// maximize.
func TestGoldenAdagrad(t *testing.T) { replayGolden(t, "adagrad.json") }
