// Package models holds ready-made Stheno models and their checkpoints.
//
// MLP and CNN return graph.Modules built from package layers as torch.nn.Sequential equivalents, so
// their parameter names ("0.weight", "3.bias", ...) are those of the PyTorch state_dict. Save and Load
// write and read a graph.Store in the safetensors format with those names and PyTorch's layouts
// (Linear weight (out, in), Conv2d weight (out, in, kh, kw), BatchNorm counters as int64 scalars),
// so a checkpoint trained in Go loads into the equivalent PyTorch model with
// model.load_state_dict(...) and vice versa (tools/golden/checkpoint.py checks both directions).
package models
