package layers

import (
	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/internal/num"
	"github.com/stheno-ml/stheno/internal/par"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// poolOp is 2-D max or average pooling over NCHW inputs. Max pooling records the position of each
// window's maximum (the first one on ties, like PyTorch) for its backward pass; average pooling
// divides as avg says.
type poolOp struct {
	opBase
	max bool
	avg avgSpec
	g   convGeom // c is channels, o unused
	arg []int32  // per output element: flat index into its (H, W) plane of the input
	out buffer
	job any // *poolJob[T]
}

func (o *poolOp) Arity() int    { return 1 }
func (o *poolOp) Type() hm.Type { return fnType(4, 4) }
func (o *poolOp) outShape() tensor.Shape {
	return tensor.Shape{o.g.n, o.g.c, o.g.oh, o.g.ow}
}
func (o *poolOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) { return o.outShape(), nil }

func (o *poolOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	return dispatch(o, o.name, 1, vs, poolDo[float32], poolDo[float64])
}

func poolDo[T num.Float](o *poolOp, in inputs) (gorgonia.Value, error) {
	g := o.g
	if !in[0].Shape().Eq(tensor.Shape{g.n, g.c, g.h, g.w}) {
		return nil, errors.Errorf("layers: pool: input has shape %v, built for (%d, %d, %d, %d)", in[0].Shape(), g.n, g.c, g.h, g.w)
	}
	y := o.out.get(in[0].Dtype(), o.outShape())
	if o.max && len(o.arg) != y.DataSize() {
		o.arg = make([]int32, y.DataSize())
	}
	j := jobOf[poolJob[T]](&o.job)
	*j = poolJob[T]{isMax: o.max, avg: o.avg, g: g, y: vals[T](y), x: vals[T](in[0]), arg: o.arg}
	par.For(g.n*g.c, planesPerPart(g), j)
	return y, nil
}

// planesPerPart is the fewest (H, W) planes worth a part of their own in par.For.
func planesPerPart(g convGeom) int { return max(1, minParallel/(g.h*g.w)) }

// poolJob is pooling's forward pass (y from x) or backward pass (gx from gy) over a range of
// planes, for par.For.
type poolJob[T num.Float] struct {
	isMax, back bool
	avg         avgSpec
	g           convGeom
	y, x        []T // forward: y = pool(x); backward: y is gy and x is gx
	arg         []int32
}

func (j *poolJob[T]) Range(_, lo, hi int) {
	if !j.back {
		poolForwardPlanes(j.isMax, j.avg, j.g, j.y, j.x, j.arg, lo, hi)
		return
	}
	hw := j.g.h * j.g.w
	clear(j.x[lo*hw : hi*hw])
	poolBackwardPlanes(j.isMax, j.avg, j.g, j.x, j.y, j.arg, lo, hi)
}

// poolForward pools every plane of x into y, on the caller's goroutine.
func poolForward[T num.Float](isMax bool, g convGeom, y, x []T, arg []int32) {
	poolForwardPlanes(isMax, avgSpec{}, g, y, x, arg, 0, g.n*g.c)
}

// avgSpec is how average pooling divides a window's sum: by divisor when it is not zero
// (PyTorch's divisor_override), else by the window's size clipped to the padded input (PyTorch's
// count_include_pad=True) or, with excludePad, to the input itself. With adaptive, the windows
// are adaptive pooling's (of both kinds of pooling) and the divisor their size.
type avgSpec struct {
	excludePad bool
	divisor    int
	adaptive   bool
}

// adaptiveWindow is the input range [start, end) of output i of n outputs over an input of size
// in: [⌊i·in/n⌋, ⌈(i+1)·in/n⌉), as PyTorch's adaptive pooling.
func adaptiveWindow(i, n, in int) (start, end int) {
	return i * in / n, ((i+1)*in + n - 1) / n
}

// window returns the divisor of output (oh, ow)'s window and its extent in the input, rows
// [hs, he) and columns [ws, we).
func (a avgSpec) window(g convGeom, oh, ow int) (div, hs, he, ws, we int) {
	if a.adaptive {
		hs, he = adaptiveWindow(oh, g.oh, g.h)
		ws, we = adaptiveWindow(ow, g.ow, g.w)
		return (he - hs) * (we - ws), hs, he, ws, we
	}
	h0, w0 := oh*g.sh-g.ph, ow*g.sw-g.pw
	h1, w1 := min(h0+g.kh, g.h+g.ph), min(w0+g.kw, g.w+g.pw)
	div = (h1 - h0) * (w1 - w0)
	hs, ws, he, we = max(h0, 0), max(w0, 0), min(h1, g.h), min(w1, g.w)
	switch {
	case a.divisor != 0:
		div = a.divisor
	case a.excludePad:
		div = (he - hs) * (we - ws)
	}
	return div, hs, he, ws, we
}

// maxWindow returns the first valid row or column of a max-pooling window starting at x0 with
// kernel k and dilation d over an input of size n, and the end of its range.
func maxWindow(x0, k, d, n int) (start, end int) {
	start = x0
	if start < 0 {
		start += (-start + d - 1) / d * d
	}
	return start, min(x0+(k-1)*d+1, n)
}

// poolForwardPlanes pools the planes [lo, hi) of x (N·C planes of H×W) into y.
func poolForwardPlanes[T num.Float](isMax bool, avg avgSpec, g convGeom, y, x []T, arg []int32, lo, hi int) {
	hw, p := g.h*g.w, g.oh*g.ow
	if isMax && !avg.adaptive && g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.ph == 0 && g.pw == 0 &&
		g.dh == 1 && g.dw == 1 && 2*g.oh <= g.h && 2*g.ow <= g.w {
		maxPool2x2Planes(g, y, x, arg, lo, hi)
		return
	}
	for pl := lo; pl < hi; pl++ {
		xp := x[pl*hw : (pl+1)*hw]
		yp := y[pl*p : (pl+1)*p]
		for oh := 0; oh < g.oh; oh++ {
			for ow := 0; ow < g.ow; ow++ {
				if !isMax {
					div, hs, he, ws, we := avg.window(g, oh, ow)
					var s T
					for ih := hs; ih < he; ih++ {
						for _, v := range xp[ih*g.w+ws : ih*g.w+we] {
							s += v
						}
					}
					yp[oh*g.ow+ow] = s / T(div)
					continue
				}
				var hs, he, ws, we int
				if avg.adaptive {
					hs, he = adaptiveWindow(oh, g.oh, g.h)
					ws, we = adaptiveWindow(ow, g.ow, g.w)
				} else {
					hs, he = maxWindow(oh*g.sh-g.ph, g.kh, g.dh, g.h)
					ws, we = maxWindow(ow*g.sw-g.pw, g.kw, g.dw, g.w)
				}
				bi := hs*g.w + ws
				best := xp[bi]
			window:
				for ih := hs; ih < he; ih += g.dh {
					for iw := ws; iw < we; iw += g.dw {
						if v := xp[ih*g.w+iw]; v > best || v != v { // NaN propagates, like PyTorch
							best, bi = v, ih*g.w+iw
							if v != v {
								break window
							}
						}
					}
				}
				yp[oh*g.ow+ow] = best
				arg[pl*p+oh*g.ow+ow] = int32(bi)
			}
		}
	}
}

// maxPool2x2Planes is poolForwardPlanes for the common 2×2, stride 2, no padding max pooling.
func maxPool2x2Planes[T num.Float](g convGeom, y, x []T, arg []int32, lo, hi int) {
	hw, p := g.h*g.w, g.oh*g.ow
	for pl := lo; pl < hi; pl++ {
		xp := x[pl*hw : (pl+1)*hw]
		yp := y[pl*p : (pl+1)*p]
		ap := arg[pl*p : (pl+1)*p]
		if y32, ok := any(yp).([]float32); ok && maxPool2x2Plane32(g, y32, ap, any(xp).([]float32)) {
			continue
		}
		for oh := 0; oh < g.oh; oh++ {
			r0 := xp[2*oh*g.w : (2*oh+1)*g.w]
			r1 := xp[(2*oh+1)*g.w : (2*oh+2)*g.w]
			yr := yp[oh*g.ow : (oh+1)*g.ow]
			ar := ap[oh*g.ow : (oh+1)*g.ow]
			base := int32(2 * oh * g.w)
			for ow := range yr {
				j := 2 * ow
				best, bi := r0[j], base+int32(j)
				if v := r0[j+1]; v > best || v != v && best == best {
					best, bi = v, base+int32(j+1)
				}
				if v := r1[j]; v > best || v != v && best == best {
					best, bi = v, base+int32(g.w+j)
				}
				if v := r1[j+1]; v > best || v != v && best == best {
					best, bi = v, base+int32(g.w+j+1)
				}
				yr[ow], ar[ow] = best, bi
			}
		}
	}
}

func (o *poolOp) DiffWRT(int) []bool { return []bool{true} }

func (o *poolOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	return grads("pool", gradOf(&poolGradOp{opBase: newBase(o.name + "Grad"), fwd: o}, grad))
}

// poolGradOp computes the input gradient of its poolOp from gy; max pooling uses the positions of
// the maxima recorded by the forward pass of the same run.
type poolGradOp struct {
	opBase
	fwd *poolOp
	out buffer
	job any // *poolJob[T]
}

func (o *poolGradOp) Arity() int    { return 1 }
func (o *poolGradOp) Type() hm.Type { return fnType(4, 4) }
func (o *poolGradOp) shape() tensor.Shape {
	g := o.fwd.g
	return tensor.Shape{g.n, g.c, g.h, g.w}
}
func (o *poolGradOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) { return o.shape(), nil }

func (o *poolGradOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	return dispatch(o, o.name, 1, vs, poolGradDo[float32], poolGradDo[float64])
}

func poolGradDo[T num.Float](o *poolGradOp, in inputs) (gorgonia.Value, error) {
	if !in[0].Shape().Eq(o.fwd.outShape()) {
		return nil, errors.Errorf("layers: pool gradient: output gradient has shape %v, want %v", in[0].Shape(), o.fwd.outShape())
	}
	g := o.fwd.g
	gx := o.out.get(in[0].Dtype(), o.shape())
	j := jobOf[poolJob[T]](&o.job)
	*j = poolJob[T]{isMax: o.fwd.max, back: true, avg: o.fwd.avg, g: g, y: vals[T](in[0]), x: vals[T](gx), arg: o.fwd.arg}
	par.For(g.n*g.c, planesPerPart(g), j)
	return gx, nil
}

// poolBackwardPlanes adds the gradient of the planes [lo, hi) into gx (zeroed by the caller).
func poolBackwardPlanes[T num.Float](isMax bool, avg avgSpec, g convGeom, gx, gy []T, arg []int32, lo, hi int) {
	hw, p := g.h*g.w, g.oh*g.ow
	for pl := lo; pl < hi; pl++ {
		gxp := gx[pl*hw : (pl+1)*hw]
		gyp := gy[pl*p : (pl+1)*p]
		if isMax {
			ap := arg[pl*p : (pl+1)*p]
			for j, v := range gyp {
				gxp[ap[j]] += v
			}
			continue
		}
		for oh := 0; oh < g.oh; oh++ {
			for ow := 0; ow < g.ow; ow++ {
				div, hs, he, ws, we := avg.window(g, oh, ow)
				v := gyp[oh*g.ow+ow] / T(div)
				for ih := hs; ih < he; ih++ {
					row := gxp[ih*g.w+ws : ih*g.w+we]
					for j := range row {
						row[j] += v
					}
				}
			}
		}
	}
}
