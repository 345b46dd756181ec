package solvers

import "testing"

// TestGoldenRMSProp replays torch.optim.RMSprop trajectories for every
// combination of alpha, centered, momentum, weight decay and maximize.
func TestGoldenRMSProp(t *testing.T) { replayGolden(t, "rmsprop.json") }
