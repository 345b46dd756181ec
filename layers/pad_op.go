package layers

import (
	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/internal/num"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// padMode is how a padOp fills the padding.
type padMode int

const (
	padConstant padMode = iota
	padReflect
	padReplicate
	padCircular
)

var (
	padNames = [...]string{"Constant", "Reflect", "Replicate", "Circular"}
	padModes = [...]string{"zeros", "reflect", "replicate", "circular"} // Conv2D's PaddingMode
)

// padGeom is an (N, C, H, W) input padded by l, r (width) and t, b (height).
type padGeom struct{ n, c, h, w, l, r, t, b int }

func (g padGeom) oh() int { return g.h + g.t + g.b }
func (g padGeom) ow() int { return g.w + g.l + g.r }

// src returns the input index that output index i (of an axis of size n padded by lo before)
// reads, or −1 for a constant.
func (m padMode) src(i, lo, n int) int {
	i -= lo
	if i >= 0 && i < n {
		return i
	}
	switch m {
	case padReflect:
		if i < 0 {
			return -i
		}
		return 2*(n-1) - i
	case padReplicate:
		return min(max(i, 0), n-1)
	case padCircular:
		return (i%n + n) % n
	}
	return -1
}

// padOp pads the last two dimensions of its (N, C, H, W) input; its gradient adds each output
// gradient to the input element the output read.
type padOp struct {
	opBase
	mode  padMode
	value float64
	g     padGeom
	out   buffer
}

func (o *padOp) Arity() int    { return 1 }
func (o *padOp) Type() hm.Type { return fnType(4, 4) }
func (o *padOp) outShape() tensor.Shape {
	return tensor.Shape{o.g.n, o.g.c, o.g.oh(), o.g.ow()}
}
func (o *padOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) { return o.outShape(), nil }

func (o *padOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	return dispatch(o, o.name, 1, vs, padDo[float32], padDo[float64])
}

func padDo[T num.Float](o *padOp, in inputs) (gorgonia.Value, error) {
	g := o.g
	if !in[0].Shape().Eq(tensor.Shape{g.n, g.c, g.h, g.w}) {
		return nil, errors.Errorf("layers: pad: input has shape %v, built for (%d, %d, %d, %d)", in[0].Shape(), g.n, g.c, g.h, g.w)
	}
	y := o.out.get(in[0].Dtype(), o.outShape())
	x, ys := vals[T](in[0]), vals[T](y)
	oh, ow, v := g.oh(), g.ow(), T(o.value)
	for pl := 0; pl < g.n*g.c; pl++ {
		xp, yp := x[pl*g.h*g.w:(pl+1)*g.h*g.w], ys[pl*oh*ow:(pl+1)*oh*ow]
		for i := 0; i < oh; i++ {
			row := yp[i*ow : (i+1)*ow]
			si := o.mode.src(i, g.t, g.h)
			if si < 0 {
				for j := range row {
					row[j] = v
				}
				continue
			}
			xr := xp[si*g.w : (si+1)*g.w]
			for j := range row {
				if sj := o.mode.src(j, g.l, g.w); sj >= 0 {
					row[j] = xr[sj]
				} else {
					row[j] = v
				}
			}
		}
	}
	return y, nil
}

func (o *padOp) DiffWRT(int) []bool { return []bool{true} }

func (o *padOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	return grads("pad", gradOf(&padGradOp{opBase: newBase(o.name + "Grad"), fwd: o}, grad))
}

// padGradOp is the input gradient of its padOp.
type padGradOp struct {
	opBase
	fwd *padOp
	out buffer
}

func (o *padGradOp) Arity() int    { return 1 }
func (o *padGradOp) Type() hm.Type { return fnType(4, 4) }
func (o *padGradOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	g := o.fwd.g
	return tensor.Shape{g.n, g.c, g.h, g.w}, nil
}

func (o *padGradOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	return dispatch(o, o.name, 1, vs, padGradDo[float32], padGradDo[float64])
}

func padGradDo[T num.Float](o *padGradOp, in inputs) (gorgonia.Value, error) {
	g, mode := o.fwd.g, o.fwd.mode
	if !in[0].Shape().Eq(o.fwd.outShape()) {
		return nil, errors.Errorf("layers: pad gradient: output gradient has shape %v, want %v", in[0].Shape(), o.fwd.outShape())
	}
	gx := o.out.get(in[0].Dtype(), tensor.Shape{g.n, g.c, g.h, g.w})
	gy, gxs := vals[T](in[0]), vals[T](gx)
	clear(gxs)
	oh, ow := g.oh(), g.ow()
	for pl := 0; pl < g.n*g.c; pl++ {
		gxp, gyp := gxs[pl*g.h*g.w:(pl+1)*g.h*g.w], gy[pl*oh*ow:(pl+1)*oh*ow]
		for i := 0; i < oh; i++ {
			si := mode.src(i, g.t, g.h)
			if si < 0 {
				continue
			}
			xr := gxp[si*g.w : (si+1)*g.w]
			for j, v := range gyp[i*ow : (i+1)*ow] {
				if sj := mode.src(j, g.l, g.w); sj >= 0 {
					xr[sj] += v
				}
			}
		}
	}
	return gx, nil
}
