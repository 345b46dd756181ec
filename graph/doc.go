// Package graph holds a Stheno model's weights and builds the model onto Gorgonia graphs.
//
// A model is plain Go configuration: a Module (layers, Sequential, models) whose Forward method adds
// nodes to a graph through a Builder. Its weights live in a Store of named tensors, named like a
// PyTorch state_dict ("0.weight", "3.running_mean"). The same model can be built onto any number of
// graphs — a training graph at batch 64 in train mode, an evaluation graph at batch 1000 in eval mode —
// and every graph's parameter nodes are bound to the same store tensors, so an in-place solver update
// made through one graph is immediately seen by all the others, without copying.
//
// Initializer functions (Zeros, Uniform, XavierUniform, KaimingUniform, ...) follow torch.nn.init;
// the store's seed makes initial weights reproducible.
//
// Trainer and Evaluator are compiled programs: the graph, its gradients and one TapeMachine are built
// once, then each Step or Forward only copies the inputs in and runs the tape.
package graph
