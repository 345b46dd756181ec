package ops

import (
	"fmt"
	"math"

	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/internal/num"
	G "gorgonia.org/gorgonia"
)

// BCE returns the binary cross-entropy between probabilities and targets,
// with the semantics of torch.nn.functional.binary_cross_entropy
// (PyTorch 1.13): -w (y log p + (1-y) log(1-p)) element-wise, each log
// clamped at -100 so p = 0 or 1 gives a finite loss. The backward is
// PyTorch's (p - y) / max(p (1-p), 1e-12) · w.
//
// probs and target have the same shape and dtype (Float64 or Float32).
// Options: WithReduction (default Mean: divide by the number of elements)
// and WithWeight (broadcast to the input's shape). A probability or target
// outside [0, 1] makes the VM's run return an error naming it. Gradients
// flow to probs only.
func BCE(probs, target *G.Node, opts ...LossOpt) (*G.Node, error) {
	const name = "BCE"
	cfg, err := newLossConfig(name, []string{"WithReduction", "WithWeight"}, opts)
	if err != nil {
		return nil, err
	}
	s, w, err := pairSpec(name, probs, target, cfg, false)
	if err != nil {
		return nil, err
	}
	s.config = fmt.Sprintf("reduction=%v, weighted=%v", cfg.reduction, w != nil)
	return applyLoss(s.dt, &pairLoss[float32]{s: s, k: bceKernel[float32]{w}}, &pairLoss[float64]{s: s, k: bceKernel[float64]{w}}, probs, target)
}

// bceKernel is BCE's rangeKernel; w is the weight expanded to the input's
// size, or nil.
type bceKernel[T num.Float] struct{ w []float64 }

func (k bceKernel[T]) fwd(x, y, perPos []T, lo, hi int) (float64, int) {
	sum, badX, badY := bceFwd(x, y, k.w, perPos, lo, hi)
	return sum, max(badX, badY)
}

func (k bceKernel[T]) bwd(dx, _, x, y, g []T, s float64, lo, hi int) {
	bceBwd(dx, x, y, k.w, g, s, lo, hi)
}

func (k bceKernel[T]) invalid(s *lossSpec, x, y []T, i int) error {
	if v := float64(x[i]); !(v >= 0 && v <= 1) {
		return errors.Errorf("ops: BCE: input%s = %v outside [0, 1]", posString(i, s.in[0]), x[i])
	}
	return errors.Errorf("ops: BCE: target%s = %v outside [0, 1]", posString(i, s.in[0]), y[i])
}

// bceFwd computes -w (y max(log x, -100) + (1-y) max(log(1-x), -100)) for
// probabilities x and targets y, elements [lo, hi). w is nil or expanded to
// x's length. It returns the sum and the first position of an x (badX) or
// y (badY) outside [0, 1], or -1.
func bceFwd[T num.Float](x, y []T, w []float64, perPos []T, lo, hi int) (sum float64, badX, badY int) {
	for i := lo; i < hi; i++ {
		xf, yf := float64(x[i]), float64(y[i])
		if !(xf >= 0 && xf <= 1) {
			return 0, i, -1
		}
		if !(yf >= 0 && yf <= 1) {
			return 0, -1, i
		}
		l1 := max(math.Log(xf), -100)
		l0 := max(log1p(-xf), -100)
		l := -(yf*l1 + (1-yf)*l0)
		if w != nil {
			l *= w[i]
		}
		sum += l
		if perPos != nil {
			perPos[i] = T(l)
		}
	}
	return sum, -1, -1
}

// bceBwd writes PyTorch's BCE gradient (x - y) / max(x (1-x), ε) s g w,
// with ε = float32(1e-12) as in PyTorch 1.13 (for float64 too). Elements
// [lo, hi).
func bceBwd[T num.Float](dx, x, y []T, w []float64, gPos []T, s float64, lo, hi int) {
	eps := float64(float32(1e-12))
	for i := lo; i < hi; i++ {
		xv := x[i]
		g := s
		if gPos != nil {
			g *= float64(gPos[i])
		}
		if w != nil {
			g *= w[i]
		}
		d := max(float64(T((1-xv)*xv)), eps)
		dx[i] = T((float64(xv) - float64(y[i])) / d * g)
	}
}

// log1p returns log(1+v) for v > -1 accurately also for tiny v, with
// math.Log (fast on amd64) and Goldberg's correction instead of the much
// slower math.Log1p.
func log1p(v float64) float64 {
	u := 1 + v
	if u == 1 {
		return v
	}
	return math.Log(u) * v / (u - 1)
}
