// Package layers holds Stheno's neural-network layers: Linear, Conv1D, Conv2D, MaxPool1D,
// AvgPool1D, MaxPool2D, AvgPool2D, AdaptiveAvgPool2D, AdaptiveMaxPool2D, MaxUnpool1D, MaxUnpool2D, the padding
// layers (ZeroPad2D, ConstantPad2D, ReflectionPad2D, ReplicationPad2D), BatchNorm1D/2D, Dropout,
// Flatten, the activations (ReLU, LeakyReLU, Tanh, Sigmoid, GELU, Softmax, LogSoftmax) and
// Sequential, with PyTorch's options (docs/graphs.md lists each with its PyTorch name).
//
// A layer is a small configuration struct implementing graph.Module: its Forward builds the layer's
// nodes on a graph.Builder, taking its parameters with Builder.Param and its buffers with
// Builder.Buffer, so that tensors carry PyTorch's state_dict names and layouts ("weight" (Out, In)
// for Linear, "weight" (Out, In/Groups, kh, kw) for Conv2D, "running_mean" for BatchNorm, …). Sequential
// scopes its children "0", "1", "2", … like torch.nn.Sequential. The same model can be built on many
// graphs (train and eval) that share the store's tensors.
//
// Every layer except Flatten (a Gorgonia Reshape) and Softmax/LogSoftmax (package ops) is a custom
// Gorgonia op with a hand-written backward pass, checked against PyTorch 1.13 goldens and finite
// differences. Matrix products go through internal/gemm's packed GEMM (AVX-512, AVX2 and pure-Go
// micro-kernels). Conv2D is im2col plus those products, with direct paths for depthwise and
// pointwise convolutions; Conv1D and the 1-D pools are the 2-D ops over a height of 1; an empty
// Sequential is the identity. Large work is split over the cores
// by internal/par, in parts that depend only on the sizes, so results do not depend on
// GOMAXPROCS. Every op keeps its output and scratch buffers across runs, so its Do allocates
// nothing after warm-up. All layers work in float32 and float64 (the store's dtype), each op from
// one generic body.
//
// Gradients are symbolic: build them with gorgonia.Grad and run the graph on a TapeMachine (as
// graph's Trainer does); backpropagation on a LispMachine returns an error. Ops that need state
// from their forward pass (Conv2D's im2col columns, MaxPool2D's argmax, Dropout's mask,
// BatchNorm's batch statistics) keep it in the op, so a graph's backward pass must follow its
// forward pass in the same run, as it does on a TapeMachine.
//
// # Zero values
//
// A layer's zero value, with only the sizes PyTorch requires filled in, is PyTorch's
// default-constructed module: a field's zero value means PyTorch's default for that argument, and
// no value a user writes is replaced by another. Where PyTorch's default is not Go's zero, or
// where zero is a meaningful setting of its own, the field is an Opt: unset (its zero value) is
// PyTorch's default and Set(v) any value, zero included:
//
//	Dropout{}                          // nn.Dropout()                p = 0.5
//	Dropout{P: Set(0.0)}               // nn.Dropout(0.0)             the identity
//	LogSoftmax{}                       // nn.LogSoftmax()             dim 1 of (N, C), PyTorch's implicit dim
//	LogSoftmax{Axis: Set(0)}           // nn.LogSoftmax(dim=0)
//	LeakyReLU{Slope: Set(0.0)}         // nn.LeakyReLU(0.0)           (LeakyReLU{} is slope 0.01)
//	BatchNorm2D{Features: 8}           // nn.BatchNorm2d(8)           eps 1e-5, momentum 0.1
//	BatchNorm2D{Features: 8, Momentum: Set(0.0)}     // momentum=0: frozen running statistics
//	BatchNorm2D{Features: 8, CumulativeAverage: true} // momentum=None
//
// Plain fields are used where Go's zero is PyTorch's default or not a valid setting at all:
// Conv2D's Stride 0 is stride 1 and MaxPool2D's Stride 0 is the kernel size (PyTorch rejects
// stride 0); NoBias false is bias=True. Sizes PyTorch requires (In, Out, Kernel, Features) have
// no default, and a zero there is an error.
//
// Each layer checks its input's shape and dtype when it is built and returns an error naming the
// layer and its scope, e.g. `layers: Linear "2": input has 100 features, want 784`.
package layers
