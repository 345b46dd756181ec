package ops

import G "gorgonia.org/gorgonia"

// MSE returns the mean squared error (x - y)² between input and target,
// with the semantics of torch.nn.functional.mse_loss (PyTorch 1.13).
//
// input and target have the same shape (any, scalars too)
// and dtype (Float64 or Float32). PyTorch broadcasts different shapes
// with a warning; here they are an error. Options: WithReduction (Mean,
// the default, Sum or None). Gradients flow to the input, 2(x - y), and to
// the target, -2(x - y).
func MSE(input, target *G.Node, opts ...LossOpt) (*G.Node, error) {
	return elementLoss("MSE", nil, input, target, opts, func(c *lossConfig) (pairKernel, string) {
		return mseKernel{}, ""
	})
}

type mseKernel struct{}

func (mseKernel) loss(x, y float64) float64 { d := x - y; return d * d }
func (mseKernel) dx(x, y float64) float64   { return 2 * (x - y) }
func (mseKernel) dy(x, y float64) float64   { return -2 * (x - y) }
