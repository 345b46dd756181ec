package solvers

import "testing"

// TestGoldenSGD replays torch.optim.SGD trajectories for every combination
// of momentum, dampening, Nesterov, weight decay and maximize.
func TestGoldenSGD(t *testing.T) { replayGolden(t, "sgd.json") }
