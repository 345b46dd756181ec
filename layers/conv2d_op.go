package layers

import (
	"runtime"
	"sync"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// convGeom is the geometry of a 2-D convolution over NCHW inputs with square kernels.
type convGeom struct {
	n, c, h, w    int // input
	o, oh, ow     int // output channels and spatial size
	k, stride, pa int
}

func (g convGeom) ckk() int { return g.c * g.k * g.k }
func (g convGeom) p() int   { return g.oh * g.ow }

// convState holds a conv op's reusable memory for one element type.
type convState[T float] struct {
	cols []T   // im2col of every image of the last forward pass: n × (ckk, p)
	dcol [][]T // per worker scratch for the input gradient
	dw   [][]T // per worker accumulators for the transposed weight gradient (ckk, o)
	gyT  [][]T // per worker scratch: one image's output gradient transposed to (p, o)
}

// convOp is a 2-D convolution (cross-correlation, like PyTorch) by im2col and GEMM, with the batch
// split over GOMAXPROCS workers. Inputs are x (N, C, H, W), w (O, C, k, k) and optionally b (O).
type convOp struct {
	opBase
	g    convGeom
	bias bool
	out  buffer
	s64  convState[float64]
	s32  convState[float32]
}

func (o *convOp) Arity() int {
	if o.bias {
		return 3
	}
	return 2
}

func (o *convOp) Type() hm.Type {
	if o.bias {
		return fnType(4, 4, 1, 4)
	}
	return fnType(4, 4, 4)
}

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
	in, err := denses(o.name, o.Arity(), vs)
	if err != nil {
		return nil, err
	}
	if err := o.checkX(in[0]); err != nil {
		return nil, err
	}
	y := o.out.get(in[0].Dtype(), tensor.Shape{o.g.n, o.g.o, o.g.oh, o.g.ow})
	switch in[0].Dtype() {
	case tensor.Float64:
		x := in[0].Float64s()
		var b []float64
		if o.bias {
			b = in[2].Float64s()
		}
		convForward(&o.s64, o.g, y.Float64s(), x, in[1].Float64s(), b)
	case tensor.Float32:
		x := in[0].Float32s()
		var b []float32
		if o.bias {
			b = in[2].Float32s()
		}
		convForward(&o.s32, o.g, y.Float32s(), x, in[1].Float32s(), b)
	}
	return y, nil
}

// parallel runs f(worker, lo, hi) over [0, n) split into contiguous ranges, one per worker
// (GOMAXPROCS workers at most), and returns the number of workers.
func parallel(n int, f func(worker, lo, hi int)) int {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		f(0, 0, n)
		return 1
	}
	var wg sync.WaitGroup
	wg.Add(workers - 1)
	for wk := 1; wk < workers; wk++ {
		go func(wk int) {
			defer wg.Done()
			f(wk, wk*n/workers, (wk+1)*n/workers)
		}(wk)
	}
	f(0, 0, n/workers)
	wg.Wait()
	return workers
}

func convForward[T float](st *convState[T], g convGeom, y, x, w, b []T) {
	ckk, p := g.ckk(), g.p()
	st.cols = scratch(&st.cols, g.n*ckk*p)
	chw := g.c * g.h * g.w
	parallel(g.n, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			col := st.cols[i*ckk*p : (i+1)*ckk*p]
			im2col(col, x[i*chw:(i+1)*chw], g)
			yi := y[i*g.o*p : (i+1)*g.o*p]
			for oc := 0; oc < g.o; oc++ {
				row := yi[oc*p : (oc+1)*p]
				var v T
				if b != nil {
					v = b[oc]
				}
				for j := range row {
					row[j] = v
				}
			}
			mulNN(g.o, p, ckk, w, col, yi)
		}
	})
}

// owRange returns the output columns [lo, hi) whose input column ow*stride - pad + kj is inside
// [0, w).
func owRange(g convGeom, kj int) (lo, hi int) {
	off := kj - g.pa
	lo = 0
	if off < 0 {
		lo = (-off + g.stride - 1) / g.stride
	}
	hi = 0
	if g.w-off > 0 {
		hi = (g.w - off + g.stride - 1) / g.stride
	}
	hi = min(hi, g.ow)
	if lo > hi {
		lo = hi
	}
	return lo, hi
}

// im2col lays out the k×k windows of one image x (C, H, W) as the columns of col (C·k·k, OH·OW).
func im2col[T float](col, x []T, g convGeom) {
	p := g.p()
	for c := 0; c < g.c; c++ {
		xc := x[c*g.h*g.w : (c+1)*g.h*g.w]
		for ki := 0; ki < g.k; ki++ {
			for kj := 0; kj < g.k; kj++ {
				row := col[((c*g.k+ki)*g.k+kj)*p:][:p]
				lo, hi := owRange(g, kj)
				for oh := 0; oh < g.oh; oh++ {
					dst := row[oh*g.ow : (oh+1)*g.ow]
					ih := oh*g.stride - g.pa + ki
					if ih < 0 || ih >= g.h || lo >= hi {
						clear(dst)
						continue
					}
					clear(dst[:lo])
					clear(dst[hi:])
					src := xc[ih*g.w : (ih+1)*g.w]
					iw := lo*g.stride + kj - g.pa
					if g.stride == 1 {
						copy(dst[lo:hi], src[iw:iw+hi-lo])
						continue
					}
					for ow := lo; ow < hi; ow++ {
						dst[ow] = src[iw]
						iw += g.stride
					}
				}
			}
		}
	}
}

// col2im adds the columns of col (C·k·k, OH·OW) back into their windows of dx (C, H, W), which it
// zeroes first.
func col2im[T float](dx, col []T, g convGeom) {
	clear(dx)
	p := g.p()
	for c := 0; c < g.c; c++ {
		xc := dx[c*g.h*g.w : (c+1)*g.h*g.w]
		for ki := 0; ki < g.k; ki++ {
			for kj := 0; kj < g.k; kj++ {
				row := col[((c*g.k+ki)*g.k+kj)*p:][:p]
				lo, hi := owRange(g, kj)
				if lo >= hi {
					continue
				}
				for oh := 0; oh < g.oh; oh++ {
					ih := oh*g.stride - g.pa + ki
					if ih < 0 || ih >= g.h {
						continue
					}
					src := row[oh*g.ow+lo : oh*g.ow+hi]
					dst := xc[ih*g.w : (ih+1)*g.w]
					iw := lo*g.stride + kj - g.pa
					if g.stride == 1 {
						d := dst[iw : iw+len(src)]
						for j, v := range src {
							d[j] += v
						}
						continue
					}
					for _, v := range src {
						dst[iw] += v
						iw += g.stride
					}
				}
			}
		}
	}
}

func (o *convOp) DiffWRT(n int) []bool {
	r := make([]bool, n)
	for i := range r {
		r[i] = true
	}
	return r
}

func (o *convOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	gx, err := gorgonia.ApplyOp(&convGradOp{opBase: newBase("conv2dGradX"), fwd: o, wrt: 0}, inputs[1], grad)
	if err != nil {
		return nil, errors.Wrap(err, "layers: conv2d gradient")
	}
	gw, err := gorgonia.ApplyOp(&convGradOp{opBase: newBase("conv2dGradW"), fwd: o, wrt: 1}, inputs[0], grad)
	if err != nil {
		return nil, errors.Wrap(err, "layers: conv2d gradient")
	}
	if !o.bias {
		return gorgonia.Nodes{gx, gw}, nil
	}
	gb, err := gorgonia.ApplyOp(&convGradOp{opBase: newBase("conv2dGradB"), fwd: o, wrt: 2}, grad)
	if err != nil {
		return nil, errors.Wrap(err, "layers: conv2d gradient")
	}
	return gorgonia.Nodes{gx, gw, gb}, nil
}

// convGradOp computes one gradient of its forward convOp from gy (N, O, OH, OW):
// wrt 0: gx from (w, gy); wrt 1: gw from (x, gy), using the im2col columns of the forward pass of the
// same run; wrt 2: gb from gy.
type convGradOp struct {
	opBase
	fwd *convOp
	wrt int
	out buffer
}

func (o *convGradOp) Arity() int {
	if o.wrt == 2 {
		return 1
	}
	return 2
}

func (o *convGradOp) Type() hm.Type {
	switch o.wrt {
	case 2:
		return fnType(4, 1)
	default:
		return fnType(4, 4, 4)
	}
}

func (o *convGradOp) shape() tensor.Shape {
	g := o.fwd.g
	switch o.wrt {
	case 0:
		return tensor.Shape{g.n, g.c, g.h, g.w}
	case 1:
		return tensor.Shape{g.o, g.c, g.k, g.k}
	default:
		return tensor.Shape{g.o}
	}
}

func (o *convGradOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) { return o.shape(), nil }

func (o *convGradOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	in, err := denses(o.name, o.Arity(), vs)
	if err != nil {
		return nil, err
	}
	g := o.fwd.g
	gy := in[o.Arity()-1]
	if !gy.Shape().Eq(tensor.Shape{g.n, g.o, g.oh, g.ow}) {
		return nil, errors.Errorf("layers: conv2d gradient: output gradient has shape %v", gy.Shape())
	}
	res := o.out.get(gy.Dtype(), o.shape())
	if o.unused {
		return res, nil
	}
	switch res.Dtype() {
	case tensor.Float64:
		r := res.Float64s()
		convBackward(&o.fwd.s64, g, o.wrt, r, in[0].Float64s(), gy.Float64s())
	case tensor.Float32:
		r := res.Float32s()
		convBackward(&o.fwd.s32, g, o.wrt, r, in[0].Float32s(), gy.Float32s())
	}
	return res, nil
}

// transpose sets dst (cols×rows) to the transpose of src (rows×cols), in 16×16 tiles so that both
// sides stay in cache.
func transpose[T float](dst, src []T, rows, cols int) {
	const tile = 16
	for i0 := 0; i0 < rows; i0 += tile {
		i1 := min(i0+tile, rows)
		for j0 := 0; j0 < cols; j0 += tile {
			j1 := min(j0+tile, cols)
			for i := i0; i < i1; i++ {
				row := src[i*cols : (i+1)*cols]
				for j := j0; j < j1; j++ {
					dst[j*rows+i] = row[j]
				}
			}
		}
	}
}

// convBackward computes gradient wrt (0 x, 1 w, 2 b) into r; in0 is w for wrt 0.
func convBackward[T float](st *convState[T], g convGeom, wrt int, r, in0, gy []T) {
	ckk, p := g.ckk(), g.p()
	op := g.o * p
	switch wrt {
	case 0:
		w := in0
		chw := g.c * g.h * g.w
		workers := min(runtime.GOMAXPROCS(0), g.n)
		for len(st.dcol) < workers {
			st.dcol = append(st.dcol, nil)
		}
		parallel(g.n, func(wk, lo, hi int) {
			dcol := scratch(&st.dcol[wk], ckk*p)
			for i := lo; i < hi; i++ {
				mulTN(ckk, p, g.o, w, gy[i*op:(i+1)*op], dcol)
				col2im(r[i*chw:(i+1)*chw], dcol, g)
			}
		})
	case 1:
		workers := min(runtime.GOMAXPROCS(0), g.n)
		for len(st.dw) < workers {
			st.dw = append(st.dw, nil)
			st.gyT = append(st.gyT, nil)
		}
		if !kernelFor[T]() {
			// Dot products along the long p axis.
			parallel(g.n, func(wk, lo, hi int) {
				dw := scratch(&st.dw[wk], g.o*ckk)
				clear(dw)
				for i := lo; i < hi; i++ {
					mulNTAdd(g.o, ckk, p, gy[i*op:(i+1)*op], st.cols[i*ckk*p:(i+1)*ckk*p], dw)
				}
			})
			copy(r, st.dw[0][:g.o*ckk])
			for wk := 1; wk < workers; wk++ {
				for j, v := range st.dw[wk][:g.o*ckk] {
					r[j] += v
				}
			}
			return
		}
		// With the float32 kernel: gwᵀ (ckk, o) = Σ_images col (ckk, p) · gyᵀ (p, o).
		parallel(g.n, func(wk, lo, hi int) {
			dwT := scratch(&st.dw[wk], ckk*g.o)
			clear(dwT)
			gyT := scratch(&st.gyT[wk], p*g.o)
			for i := lo; i < hi; i++ {
				transpose(gyT, gy[i*op:(i+1)*op], g.o, p)
				mulAdd(ckk, g.o, p, st.cols[i*ckk*p:(i+1)*ckk*p], p, 1, gyT, dwT)
			}
		})
		for oc := 0; oc < g.o; oc++ {
			for q := 0; q < ckk; q++ {
				var s T
				for wk := 0; wk < workers; wk++ {
					s += st.dw[wk][q*g.o+oc]
				}
				r[oc*ckk+q] = s
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
