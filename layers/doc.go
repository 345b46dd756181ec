// Package layers holds Stheno's neural-network layers: Linear, Conv2D, MaxPool2D, AvgPool2D,
// BatchNorm1D/2D, Dropout, Flatten, the activations (ReLU, LeakyReLU, Tanh, Sigmoid, GELU, Softmax,
// LogSoftmax) and Sequential.
//
// A layer is a small configuration struct implementing graph.Module: its Forward builds the layer's
// nodes on a graph.Builder, taking its parameters with Builder.Param and its buffers with
// Builder.Buffer, so that tensors carry PyTorch's state_dict names and layouts ("weight" (Out, In)
// for Linear, "weight" (Out, In, k, k) for Conv2D, "running_mean" for BatchNorm, …). Sequential
// scopes its children "0", "1", "2", … like torch.nn.Sequential. The same model can be built on many
// graphs (train and eval) that share the store's tensors.
//
// The heavy layers are custom Gorgonia ops with hand-written backward passes (checked against
// PyTorch 1.13 goldens and finite differences): Linear and Conv2D use gonum's GEMM (Conv2D via
// im2col), and every op keeps its output and scratch buffers, so a compiled training step allocates
// little after warm-up. All layers work in float32 and float64 (the store's dtype).
//
// Each layer checks its input's shape and dtype when it is built and returns an error naming the
// layer and its scope, e.g. `layers: Linear "2": input has 100 features, want 784`.
package layers
