package layers

import (
	"unsafe"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/internal/num"
	"github.com/stheno-ml/stheno/internal/par"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// convState holds a conv op's reusable memory and parallel jobs for one element type.
type convState[T num.Float] struct {
	cols []T               // im2col of every image of the last forward pass: n × (ckk, p)
	dcol [par.MaxParts][]T // per part scratch for the input gradient
	dw   [par.MaxParts][]T // per part accumulators of the weight gradient
	fwd  convJob[T]
	bwd  convJob[T]
}

// convOp is a 2-D convolution (cross-correlation, like PyTorch) by im2col and matrix products,
// with the batch split over the cores by par.For. Inputs are x (N, C, H, W), w (O, C, k, k) and
// optionally b (O).
type convOp struct {
	affineOp // st: *convState[T]
	g        convGeom
}

func (o *convOp) Type() hm.Type { return o.typeFor(4) }

func (o *convOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{o.g.n, o.g.o, o.g.oh, o.g.ow}, nil
}

func (o *convOp) checkX(x *tensor.Dense) error {
	g := o.g
	if !x.Shape().Eq(tensor.Shape{g.n, g.c, g.h, g.w}) {
		return errors.Errorf("layers: conv2d: input has shape %v, built for (%d, %d, %d, %d)", x.Shape(), g.n, g.c, g.h, g.w)
	}
	return nil
}

func (o *convOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	return dispatch(o, o.name, o.Arity(), vs, convDo[float32], convDo[float64])
}

func convDo[T num.Float](o *convOp, in inputs) (gorgonia.Value, error) {
	if err := o.checkX(in[0]); err != nil {
		return nil, err
	}
	g := o.g
	y := o.out.get(in[0].Dtype(), tensor.Shape{g.n, g.o, g.oh, g.ow})
	var b []T
	if o.bias {
		b = vals[T](in[2])
	}
	st := jobOf[convState[T]](&o.st)
	if n := g.colsLen(); n > 0 {
		st.cols = num.Grow(st.cols, n)
	}
	st.fwd = convJob[T]{st: st, g: g, wrt: -1, r: vals[T](y), in0: vals[T](in[0]), w: vals[T](in[1]), b: b}
	par.For(g.n, 1, &st.fwd)
	return y, nil
}

// convPath is how a convolution computes: im2col and matrix products in general; a 1×1 kernel
// with stride 1 and no padding (pointwise) uses the image itself as its columns; groups = In
// (depthwise, any channel multiplier) runs a direct loop over the kernel's taps, with no columns.
type convPath int

const (
	convIm2col convPath = iota
	convPointwise
	convDepthwise
)

// phaseLen is the length of a row's phases in a strided depthwise convolution's phased planes
// (W for stride 1, where the planes are not phased).
func (g convGeom) phaseLen() int { return (g.w + g.sw - 1) / g.sw }

// colsLen is the size of the forward pass's columns the weight gradient reuses: im2col's, or a
// strided depthwise convolution's phased input planes; 0 when there are none.
func (g convGeom) colsLen() int {
	switch {
	case g.path() == convIm2col:
		return g.n * g.ckk() * g.p()
	case g.path() == convDepthwise && g.sw > 1:
		return g.n * g.c * g.h * g.sw * g.phaseLen()
	}
	return 0
}

func (g convGeom) path() convPath {
	switch {
	case g.groups > 1 && g.groups == g.c:
		return convDepthwise
	case g.groups == 1 && g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0:
		return convPointwise
	}
	return convIm2col
}

// convJob is one pass of a convolution over a range of images of the batch, for par.For: the
// forward pass (wrt −1: r = y from in0 = x, w and b) or the gradient with respect to the input
// (wrt 0: r = gx from w and gy) or the weight (wrt 1: per-part sums of gw from gy and the
// forward pass's columns, or in0 = x on the pointwise and depthwise paths).
type convJob[T num.Float] struct {
	st           *convState[T]
	g            convGeom
	wrt          int
	r, in0, w, b []T
	gy           []T
}

// col returns image i's im2col columns: the forward pass's, or the image itself when pointwise.
func (j *convJob[T]) col(i int) []T {
	n := j.g.ckk() * j.g.p()
	if j.g.path() == convPointwise {
		return j.in0[i*n : (i+1)*n]
	}
	return j.st.cols[i*n : (i+1)*n]
}

func (j *convJob[T]) Range(part, lo, hi int) {
	g, st := j.g, j.st
	ckk, p := g.ckk(), g.p()
	op, chw := g.o*p, g.c*g.h*g.w
	path := g.path()
	if path == convDepthwise {
		j.depthwise(part, lo, hi)
		return
	}
	// Group q maps rows [q·kg, (q+1)·kg) of an image's columns and of the weight's (In/Groups·kh·kw)
	// columns to output channels [q·og, (q+1)·og).
	og, kg := g.o/g.groups, ckk/g.groups
	switch j.wrt {
	case -1:
		for i := lo; i < hi; i++ {
			col := j.col(i)
			if path == convIm2col {
				im2col(col, j.in0[i*chw:(i+1)*chw], g)
			}
			yi := j.r[i*op : (i+1)*op]
			for oc := 0; oc < g.o; oc++ {
				row := yi[oc*p : (oc+1)*p]
				var v T
				if j.b != nil {
					v = j.b[oc]
				}
				for k := range row {
					row[k] = v
				}
			}
			for q := 0; q < g.groups; q++ {
				mulNN(og, p, kg, j.w[q*og*kg:], col[q*kg*p:], yi[q*og*p:])
			}
		}
	case 0:
		if path == convPointwise { // gx (c, p) = wᵀ · gy
			for i := lo; i < hi; i++ {
				mulTN(g.c, p, g.o, j.w, j.gy[i*op:(i+1)*op], j.r[i*chw:(i+1)*chw])
			}
			return
		}
		st.dcol[part] = num.Grow(st.dcol[part], ckk*p)
		dcol := st.dcol[part]
		for i := lo; i < hi; i++ {
			gyi := j.gy[i*op : (i+1)*op]
			for q := 0; q < g.groups; q++ {
				mulTN(kg, p, og, j.w[q*og*kg:], gyi[q*og*p:], dcol[q*kg*p:])
			}
			col2im(j.r[i*chw:(i+1)*chw], dcol, g)
		}
	case 1:
		st.dw[part] = num.Zeros(st.dw[part], g.o*kg)
		dw := st.dw[part]
		// Dot products along the long p axis: dw_q (og, kg) += gy_q (og, p) · col_qᵀ.
		for i := lo; i < hi; i++ {
			gyi, col := j.gy[i*op:(i+1)*op], j.col(i)
			for q := 0; q < g.groups; q++ {
				mulNTAdd(og, kg, p, gyi[q*og*p:], col[q*kg*p:], dw[q*og*kg:])
			}
		}
	}
}

// depthwise is convJob's pass for groups = In: output channel oc = ci·m + k (m = Out/In) sees
// input channel ci only, and each of its kh·kw taps adds a shifted, scaled row segment. With a
// column stride s > 1 the input (or input-gradient) plane is first laid out in s phases per row
// (phase q holding columns q, q+s, q+2s, …), so that every segment is contiguous; the forward
// pass keeps its phased inputs in st.cols for the weight gradient.
func (j *convJob[T]) depthwise(part, lo, hi int) {
	g := j.g
	p, hw, kk, m := g.p(), g.h*g.w, g.kk(), g.o/g.c
	pl := g.w // a phase's length
	if g.sw > 1 {
		pl = g.phaseLen()
		if j.wrt == 0 {
			j.st.dcol[part] = num.Grow(j.st.dcol[part], g.h*g.sw*pl)
		}
	}
	php := g.h * g.sw * pl // a phased plane's size
	if j.wrt == 1 {
		j.st.dw[part] = num.Zeros(j.st.dw[part], g.o*kk)
	}
	for i := lo; i < hi; i++ {
		switch j.wrt {
		case -1:
			yi := j.r[i*g.o*p : (i+1)*g.o*p]
			for oc := 0; oc < g.o; oc++ {
				var v T
				if j.b != nil {
					v = j.b[oc]
				}
				row := yi[oc*p : (oc+1)*p]
				for t := range row {
					row[t] = v
				}
			}
		case 0:
			clear(j.r[i*g.c*hw : (i+1)*g.c*hw])
		}
		for ci := 0; ci < g.c; ci++ {
			var plane []T
			if j.wrt == 0 {
				plane = j.r[(i*g.c+ci)*hw:][:hw]
			} else {
				plane = j.in0[(i*g.c+ci)*hw:][:hw]
			}
			in := plane
			if g.sw > 1 {
				switch j.wrt { // the forward pass phases x into st.cols, the weight gradient reads them
				case -1:
					in = j.st.cols[(i*g.c+ci)*php:][:php]
					phase(in, plane, g, pl)
				case 0:
					in = j.st.dcol[part][:php]
					clear(in)
				case 1:
					in = j.st.cols[(i*g.c+ci)*php:][:php]
				}
			}
			for oc := ci * m; oc < (ci+1)*m; oc++ {
				gy := j.gy
				if j.wrt == -1 {
					gy = j.r
				}
				out := gy[(i*g.o+oc)*p:][:p]
				if j.wrt == 1 {
					dwTaps(g, 1, j.st.dw[part][oc*kk:(oc+1)*kk], out, in, pl)
				} else {
					dwTaps(g, j.wrt, j.w[oc*kk:(oc+1)*kk], out, in, pl)
				}
			}
			if g.sw > 1 && j.wrt == 0 {
				unphase(plane, in, g, pl)
			}
		}
	}
}

// phase lays out plane (H, W) in ph as sw phases of length pl per row: ph[(ih·sw + q)·pl + t] =
// plane[ih·W + t·sw + q].
func phase[T num.Float](ph, plane []T, g convGeom, pl int) {
	for ih := 0; ih < g.h; ih++ {
		row := plane[ih*g.w : (ih+1)*g.w]
		if g.sw == 2 { // the common stride, in one pass
			n := g.w / 2
			ev, od := ph[2*ih*pl:][:pl], ph[(2*ih+1)*pl:][:n]
			for t := range od {
				pair := row[2*t : 2*t+2]
				ev[t], od[t] = pair[0], pair[1]
			}
			if g.w%2 == 1 {
				ev[n] = row[g.w-1]
			}
			continue
		}
		for q := 0; q < g.sw; q++ {
			dst := ph[(ih*g.sw+q)*pl:][:pl]
			t := 0
			for iw := q; iw < g.w; iw += g.sw {
				dst[t] = row[iw]
				t++
			}
		}
	}
}

// unphase adds the phases ph back into plane, the inverse layout of phase.
func unphase[T num.Float](plane, ph []T, g convGeom, pl int) {
	for ih := 0; ih < g.h; ih++ {
		row := plane[ih*g.w : (ih+1)*g.w]
		if g.sw == 2 {
			n := g.w / 2
			ev, od := ph[2*ih*pl:][:pl], ph[(2*ih+1)*pl:][:n]
			for t := range od {
				pair := row[2*t : 2*t+2]
				pair[0] += ev[t]
				pair[1] += od[t]
			}
			if g.w%2 == 1 {
				row[g.w-1] += ev[n]
			}
			continue
		}
		for q := 0; q < g.sw; q++ {
			src := ph[(ih*g.sw+q)*pl:][:pl]
			t := 0
			for iw := q; iw < g.w; iw += g.sw {
				row[iw] += src[t]
				t++
			}
		}
	}
}

// dwTaps runs over the taps of one depthwise channel pair, out (OH, OW) and in (H, W) laid out
// in sw phases of length pl per row (as phase does; for sw = 1 the plane itself, pl = W): wrt −1
// (forward) adds w·in to out; wrt 0 (input gradient, out being gy) adds w·out to in; wrt 1
// (weight gradient) adds Σ out·in to w.
func dwTaps[T num.Float](g convGeom, wrt int, w, out, in []T, pl int) {
	rl := g.sw * pl
	for ki := 0; ki < g.kh; ki++ {
		// Output rows [r0, r1) read input rows ih = oh·sh + off inside [0, H).
		off := ki*g.dh - g.ph
		r0, r1 := outRange(off, g.sh, g.h, g.oh)
		if r0 >= r1 {
			continue
		}
		for kj := 0; kj < g.kw; kj++ {
			tap := ki*g.kw + kj
			lo, hi := owRange(g, kj)
			if lo >= hi {
				continue
			}
			iw := lo*g.sw + kj*g.dw - g.pw
			o := out[r0*g.ow+lo:]
			seg := in[(r0*g.sh+off)*rl+(iw%g.sw)*pl+iw/g.sw:]
			n, rows := hi-lo, r1-r0
			switch wrt {
			case -1:
				axpyRows(w[tap], seg, g.sh*rl, o, g.ow, n, rows)
			case 0:
				axpyRows(w[tap], o, g.ow, seg, g.sh*rl, n, rows)
			default:
				w[tap] += dotRows(o, g.ow, seg, g.sh*rl, n, rows)
			}
		}
	}
}

// outRange returns the outputs [lo, hi) of n whose input o·stride + off is inside [0, size).
func outRange(off, stride, size, n int) (lo, hi int) {
	if off < 0 {
		lo = (-off + stride - 1) / stride
	}
	if size-off > 0 {
		hi = min((size-off+stride-1)/stride, n)
	}
	return min(lo, hi), hi
}

// axpyRows adds a·x to y over rows rows of n elements, row r of x starting at x[r·xs] and of y at
// y[r·ys]: float32 through the AVX2+FMA kernel where there is one, else four elements a step.
func axpyRows[T num.Float](a T, x []T, xs int, y []T, ys int, n, rows int) {
	if n <= 0 || rows <= 0 {
		return
	}
	x, y = x[:(rows-1)*xs+n], y[:(rows-1)*ys+n] // every row's bounds checked here
	if unsafe.Sizeof(a) == 4 && axpyRows32(*(*float32)(unsafe.Pointer(&a)), f32s(x), xs, f32s(y), ys, n, rows) {
		return
	}
	for r := 0; r < rows; r++ {
		axpy(a, x[r*xs:r*xs+n], y[r*ys:r*ys+n])
	}
}

// dotRows returns Σ x·y over rows laid out as axpyRows's.
func dotRows[T num.Float](x []T, xs int, y []T, ys int, n, rows int) T {
	if n <= 0 || rows <= 0 {
		return 0
	}
	x, y = x[:(rows-1)*xs+n], y[:(rows-1)*ys+n]
	if unsafe.Sizeof(x[0]) == 4 {
		if v, ok := dotRows32(f32s(x), xs, f32s(y), ys, n, rows); ok {
			return *(*T)(unsafe.Pointer(&v))
		}
	}
	var s T
	for r := 0; r < rows; r++ {
		s += dot(x[r*xs:r*xs+n], y[r*ys:r*ys+n])
	}
	return s
}

// axpy adds a·x to y (len(y) ≥ len(x)), four elements a step.
func axpy[T num.Float](a T, x, y []T) {
	y = y[:len(x)]
	for len(x) >= 4 {
		y[0] += a * x[0]
		y[1] += a * x[1]
		y[2] += a * x[2]
		y[3] += a * x[3]
		x, y = x[4:], y[4:]
	}
	for i, v := range x {
		y[i] += a * v
	}
}

// dot returns Σ x·y (len(y) ≥ len(x)) in four independent sums, so the additions do not wait
// on each other.
func dot[T num.Float](x, y []T) T {
	y = y[:len(x)]
	var s0, s1, s2, s3 T
	for len(x) >= 4 {
		s0 += x[0] * y[0]
		s1 += x[1] * y[1]
		s2 += x[2] * y[2]
		s3 += x[3] * y[3]
		x, y = x[4:], y[4:]
	}
	for i, v := range x {
		s0 += v * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// f32s is x as []float32; only for T of size 4, which is float32.
func f32s[T num.Float](x []T) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
}

// owRange returns the output columns [lo, hi) whose input column ow·sw − pw + kj·dw is inside
// [0, w).
func owRange(g convGeom, kj int) (lo, hi int) {
	off := kj*g.dw - g.pw
	lo = 0
	if off < 0 {
		lo = (-off + g.sw - 1) / g.sw
	}
	hi = 0
	if g.w-off > 0 {
		hi = (g.w - off + g.sw - 1) / g.sw
	}
	hi = min(hi, g.ow)
	if lo > hi {
		lo = hi
	}
	return lo, hi
}

// im2col lays out the kh×kw windows of one image x (C, H, W) as the columns of col
// (C·kh·kw, OH·OW).
func im2col[T num.Float](col, x []T, g convGeom) {
	p := g.p()
	for c := 0; c < g.c; c++ {
		xc := x[c*g.h*g.w : (c+1)*g.h*g.w]
		for ki := 0; ki < g.kh; ki++ {
			for kj := 0; kj < g.kw; kj++ {
				row := col[((c*g.kh+ki)*g.kw+kj)*p:][:p]
				lo, hi := owRange(g, kj)
				for oh := 0; oh < g.oh; oh++ {
					dst := row[oh*g.ow : (oh+1)*g.ow]
					ih := oh*g.sh - g.ph + ki*g.dh
					if ih < 0 || ih >= g.h || lo >= hi {
						clear(dst)
						continue
					}
					clear(dst[:lo])
					clear(dst[hi:])
					src := xc[ih*g.w : (ih+1)*g.w]
					iw := lo*g.sw + kj*g.dw - g.pw
					if g.sw == 1 {
						copy(dst[lo:hi], src[iw:iw+hi-lo])
						continue
					}
					for ow := lo; ow < hi; ow++ {
						dst[ow] = src[iw]
						iw += g.sw
					}
				}
			}
		}
	}
}

// col2im adds the columns of col (C·kh·kw, OH·OW) back into their windows of dx (C, H, W), which
// it zeroes first.
func col2im[T num.Float](dx, col []T, g convGeom) {
	clear(dx)
	p := g.p()
	for c := 0; c < g.c; c++ {
		xc := dx[c*g.h*g.w : (c+1)*g.h*g.w]
		for ki := 0; ki < g.kh; ki++ {
			for kj := 0; kj < g.kw; kj++ {
				row := col[((c*g.kh+ki)*g.kw+kj)*p:][:p]
				lo, hi := owRange(g, kj)
				if lo >= hi {
					continue
				}
				for oh := 0; oh < g.oh; oh++ {
					ih := oh*g.sh - g.ph + ki*g.dh
					if ih < 0 || ih >= g.h {
						continue
					}
					src := row[oh*g.ow+lo : oh*g.ow+hi]
					dst := xc[ih*g.w : (ih+1)*g.w]
					iw := lo*g.sw + kj*g.dw - g.pw
					if g.sw == 1 {
						d := dst[iw : iw+len(src)]
						for j, v := range src {
							d[j] += v
						}
						continue
					}
					for _, v := range src {
						dst[iw] += v
						iw += g.sw
					}
				}
			}
		}
	}
}

func (o *convOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	apps := []gradApp{
		gradOf(&convGradOp{wrtOp: newWrtOp("conv2dGradX", 0), fwd: o}, inputs[1], grad),
		gradOf(&convGradOp{wrtOp: newWrtOp("conv2dGradW", 1), fwd: o}, inputs[0], grad),
	}
	if o.bias {
		apps = append(apps, gradOf(&convGradOp{wrtOp: newWrtOp("conv2dGradB", 2), fwd: o}, grad))
	}
	return grads("conv2d", apps...)
}

// convGradOp computes one gradient of its forward convOp from gy (N, O, OH, OW):
// wrt 0: gx from (w, gy); wrt 1: gw from (x, gy), using the im2col columns of the forward pass of the
// same run; wrt 2: gb from gy.
type convGradOp struct {
	wrtOp
	fwd *convOp
}

func (o *convGradOp) Type() hm.Type { return o.typeFor(4) }

func (o *convGradOp) shape() tensor.Shape {
	g := o.fwd.g
	switch o.wrt {
	case 0:
		return tensor.Shape{g.n, g.c, g.h, g.w}
	case 1:
		return tensor.Shape{g.o, g.c / g.groups, g.kh, g.kw}
	default:
		return tensor.Shape{g.o}
	}
}

func (o *convGradOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) { return o.shape(), nil }

func (o *convGradOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	return dispatch(o, o.name, o.Arity(), vs, convGradDo[float32], convGradDo[float64])
}

func convGradDo[T num.Float](o *convGradOp, in inputs) (gorgonia.Value, error) {
	g := o.fwd.g
	gy := in[o.Arity()-1]
	if !gy.Shape().Eq(tensor.Shape{g.n, g.o, g.oh, g.ow}) {
		return nil, errors.Errorf("layers: conv2d gradient: output gradient has shape %v", gy.Shape())
	}
	st, ok := o.fwd.st.(*convState[T])
	if o.wrt == 1 && g.colsLen() > 0 && (!ok || len(st.cols) != g.colsLen()) {
		return nil, errors.New("layers: conv2d gradient run before its forward pass")
	}
	if !ok {
		st = jobOf[convState[T]](&o.fwd.st)
	}
	res := o.out.get(gy.Dtype(), o.shape())
	if o.unused { // the gradient of the input data: nothing reads it
		return res, nil
	}
	convBackward(st, g, o.wrt, vals[T](res), vals[T](in[0]), vals[T](gy))
	return res, nil
}

// convBackward computes gradient wrt (0 x, 1 w, 2 b) into r; in0 is w for wrt 0 and x for wrt 1
// (where the im2col path uses the forward pass's columns instead).
func convBackward[T num.Float](st *convState[T], g convGeom, wrt int, r, in0, gy []T) {
	ckk, p := g.ckk(), g.p()
	op := g.o * p
	switch wrt {
	case 0:
		st.bwd = convJob[T]{st: st, g: g, wrt: 0, r: r, w: in0, gy: gy}
		par.For(g.n, 1, &st.bwd)
	case 1:
		st.bwd = convJob[T]{st: st, g: g, wrt: 1, in0: in0, gy: gy}
		parts := par.For(g.n, 1, &st.bwd)
		kg := ckk / g.groups
		copy(r, st.dw[0][:g.o*kg]) // per-part sums are gw (o, kg)
		for pt := 1; pt < parts; pt++ {
			for j, v := range st.dw[pt][:g.o*kg] {
				r[j] += v
			}
		}
	default:
		clear(r)
		for i := 0; i < g.n; i++ {
			for oc := 0; oc < g.o; oc++ {
				var s T
				for _, v := range gy[i*op+oc*p : i*op+(oc+1)*p] {
					s += v
				}
				r[oc] += s
			}
		}
	}
}
