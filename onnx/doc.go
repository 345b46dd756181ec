// Package onnx exports Stheno models to ONNX, so that a model trained in Go can be served by ONNX
// Runtime and the other runtimes people deploy with.
//
// A model made of Stheno's layers — layers.Sequential (nested too), Linear, Conv2D, MaxPool2D,
// AvgPool2D, BatchNorm1D and BatchNorm2D (eval mode: the running statistics), Dropout (the
// identity, no node), Flatten, ReLU, LeakyReLU, Tanh, Sigmoid, GELU, Softmax and LogSoftmax, so
// also models.MLP and models.CNN — is written as one ONNX graph of the default operator set,
// opset 13, IR version 7, in the store's dtype (float32 or float64). Its input "input" has shape
// (N, sample...) with a dynamic batch dimension N, and its output is "output". The weights are
// initializers named exactly as the PyTorch state_dict names of the store ("0.weight",
// "3.running_mean", …); BatchNorm's num_batches_tracked, unused at inference, is left out. The
// layers' options are exported too: Conv2D's (height, width) forms, stride, padding (Same
// included, uneven padding going after), dilation and groups; the pools' stride, padding,
// dilation (MaxPool2D) and ceil mode; AvgPool2D's ExcludePad and DivisorOverride (except with
// CeilMode, an error); Softmax's and LogSoftmax's implicit axis, resolved on the input's rank.
//
// The layers map to ONNX operators as PyTorch's exporter maps them: Linear is Gemm (transB=1),
// Conv2D Conv, the pools MaxPool and AveragePool, BatchNorm BatchNormalization, Flatten Flatten
// (axis 1). Three differ: GELU is x·½(1+erf(x/√2)) in Div, Erf, Add and Mul nodes (ONNX has a
// Gelu operator only from opset 20); LeakyReLU is Where(x > 0, x, slope·x) with the slope a
// constant of the model's dtype, because LeakyRelu's alpha attribute is a float32 that would round
// a float64 model's slope (and ONNX Runtime has no float64 LeakyRelu or PRelu); DivisorOverride
// d is AveragePool times kh·kw/d. BatchNormalization's epsilon is a float32 attribute (1e-5
// becomes 9.99999975e-6), which changes a float64 model's outputs by about 1e-13 relative.
//
// The tests run every exported model in ONNX Runtime 1.30 (npm onnxruntime-node) and compare its
// outputs with Stheno's, and validate every file with the ONNX checker (python3-onnx);
// .ci/onnx.sh installs both.
//
// The protobuf types are compiled from the official onnx.proto with protoc-gen-go into the
// internal package onnx/internal/pb (see its documentation to regenerate them).
package onnx
