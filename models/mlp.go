package models

import (
	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/layers"
)

// MLP returns a multi-layer perceptron as a layers.Sequential:
// Linear(in, hidden[0]), act, Linear(hidden[0], hidden[1]), act, ..., Linear(hidden[n-1], out).
// Its parameter names are those of the equivalent torch.nn.Sequential, e.g. MLP(784, []int{128}, 10,
// layers.ReLU{}) is
//
//	nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
//
// with parameters "0.weight" (128, 784), "0.bias", "2.weight" (10, 128), "2.bias".
// With no hidden layers it is a single Linear(in, out) named "0". act may be nil for none (then
// the Linear layers are numbered consecutively, as in a torch Sequential without activations).
func MLP(in int, hidden []int, out int, act graph.Module) graph.Module {
	var seq layers.Sequential
	prev := in
	for _, h := range hidden {
		seq = append(seq, layers.Linear{In: prev, Out: h})
		if act != nil {
			seq = append(seq, act)
		}
		prev = h
	}
	return append(seq, layers.Linear{In: prev, Out: out})
}
