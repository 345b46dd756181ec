package ops

import (
	"fmt"
	"math"

	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/internal/num"
	G "gorgonia.org/gorgonia"
)

// BCEWithLogits returns the binary cross-entropy of sigmoid(logits) and
// targets, with the semantics of
// torch.nn.functional.binary_cross_entropy_with_logits (PyTorch 1.13),
// computed stably for any logit:
// w ((1-y) x + (1 + (pw-1) y) (max(-x, 0) + log1p(exp(-|x|)))),
// which without pos_weight is w (max(x, 0) - x y + log1p(exp(-|x|))).
//
// Options: WithReduction (default Mean), WithWeight and WithPosWeight
// (both broadcast to the input's shape, typically (C) for the last
// dimension).
// Gradients flow to logits only.
func BCEWithLogits(logits, target *G.Node, opts ...LossOpt) (*G.Node, error) {
	const name = "BCEWithLogits"
	cfg, err := newLossConfig(name, []string{"WithReduction", "WithWeight", "WithPosWeight"}, opts)
	if err != nil {
		return nil, err
	}
	s, w, err := pairSpec(name, logits, target, cfg, false)
	if err != nil {
		return nil, err
	}
	var pw []float64
	if cfg.posWeight != nil {
		v, err := floatsOfConst(name, "pos_weight", cfg.posWeight, s.dt)
		if err != nil {
			return nil, err
		}
		if pw, err = broadcastTo(v, cfg.posWeight.Shape(), s.in[0]); err != nil {
			return nil, errors.Wrapf(err, "ops: %s: pos_weight", name)
		}
		s.hashed = append(s.hashed, pw)
	}
	s.config = fmt.Sprintf("reduction=%v, weighted=%v, pos_weighted=%v", cfg.reduction, w != nil, pw != nil)
	return applyLoss(s.dt, &pairLoss[float32]{s: s, k: bceLogitsKernel[float32]{w, pw}},
		&pairLoss[float64]{s: s, k: bceLogitsKernel[float64]{w, pw}}, logits, target)
}

// bceLogitsKernel is BCEWithLogits' rangeKernel; w and pw are the weight
// and pos_weight expanded to the input's size, or nil.
type bceLogitsKernel[T num.Float] struct{ w, pw []float64 }

func (k bceLogitsKernel[T]) fwd(x, y, perPos []T, lo, hi int) (float64, int) {
	if num.Is32[T]() && k.w == nil && k.pw == nil && perPos == nil {
		return bceLogitsFwdF32(f32(x[lo:hi]), f32(y[lo:hi])), -1 // vector kernel
	}
	return bceLogitsFwd(x, y, k.w, k.pw, perPos, lo, hi), -1
}

func (k bceLogitsKernel[T]) bwd(dx, _, x, y, g []T, s float64, lo, hi int) {
	if num.Is32[T]() && k.w == nil && k.pw == nil {
		var gr []float32
		if g != nil {
			gr = f32(g[lo:hi])
		}
		bceLogitsBwdF32(f32(dx[lo:hi]), f32(x[lo:hi]), f32(y[lo:hi]), gr, float32(s)) // vector kernel
		return
	}
	bceLogitsBwd(dx, x, y, k.w, k.pw, g, s, lo, hi)
}

func (k bceLogitsKernel[T]) invalid(*lossSpec, []T, []T, int) error { return nil }

// log1pUnit returns log(1+e) for e in [0, 1] as 2 atanh(s), s = e/(2+e)
// in [0, 1/3], by its series 2 Σ s^(2k+1)/(2k+1): no cancellation, and
// several times faster than math.Log here. 17 terms give double precision,
// 9 terms ~1e-10 for float32 data.
func log1pUnit[T num.Float](e float64) float64 {
	s := e / (2 + e)
	z := s * s
	if num.Is32[T]() {
		return 2 * s * (1 + z*(1.0/3+z*(1.0/5+z*(1.0/7+z*(1.0/9+z*(1.0/11+z*(1.0/13+z*(1.0/15+z*(1.0/17)))))))))
	}
	p := 1.0 / 33
	p = 1.0/31 + z*p
	p = 1.0/29 + z*p
	p = 1.0/27 + z*p
	p = 1.0/25 + z*p
	p = 1.0/23 + z*p
	p = 1.0/21 + z*p
	p = 1.0/19 + z*p
	p = 1.0/17 + z*p
	p = 1.0/15 + z*p
	p = 1.0/13 + z*p
	p = 1.0/11 + z*p
	p = 1.0/9 + z*p
	p = 1.0/7 + z*p
	p = 1.0/5 + z*p
	p = 1.0/3 + z*p
	return 2 * s * (1 + z*p)
}

// bceLogitsFwd computes, stably for any logit x,
// (1-y) x + lw softplus(-x), lw = 1 + (pw-1) y, softplus(-x) =
// max(-x, 0) + log1p(exp(-|x|)), times w, for elements [lo, hi). w and pw
// are nil or expanded to x's length.
func bceLogitsFwd[T num.Float](x, y []T, w, pw []float64, perPos []T, lo, hi int) float64 {
	var sum float64
	for i := lo; i < hi; i++ {
		xf, yf := float64(x[i]), float64(y[i])
		sp := max(-xf, 0) + log1pUnit[T](expT[T](-math.Abs(xf)))
		lw := 1.0
		if pw != nil {
			lw = 1 + (pw[i]-1)*yf
		}
		l := (1-yf)*xf + lw*sp
		if w != nil {
			l *= w[i]
		}
		sum += l
		if perPos != nil {
			perPos[i] = T(l)
		}
	}
	return sum
}

// bceLogitsBwd writes ((pw y + 1 - y) σ(x) - pw y) s g w (σ(x) - y without
// pos_weight), elements [lo, hi).
func bceLogitsBwd[T num.Float](dx, x, y []T, w, pw []float64, gPos []T, s float64, lo, hi int) {
	for i := lo; i < hi; i++ {
		xf, yf := float64(x[i]), float64(y[i])
		e := expT[T](-math.Abs(xf))
		sig := 1 / (1 + e)
		if xf < 0 {
			sig = e / (1 + e)
		}
		g := s
		if gPos != nil {
			g *= float64(gPos[i])
		}
		if w != nil {
			g *= w[i]
		}
		var d float64
		if pw != nil {
			t := pw[i] * yf
			d = (t+1-yf)*sig - t
		} else {
			d = sig - yf
		}
		dx[i] = T(d * g)
	}
}
