package layers

import (
	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/internal/num"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// indicesOp returns the positions of the maxima its max-pooling op recorded in the same run, as
// Int64 (PyTorch's return_indices). Its input is the pooling's output, so it runs after it.
type indicesOp struct {
	opBase
	fwd *poolOp
	out buffer
}

func (o *indicesOp) Arity() int { return 1 }
func (o *indicesOp) Type() hm.Type {
	return hm.NewFnType(gorgonia.TensorType{Dims: 4, Of: hm.TypeVariable('a')}, gorgonia.TensorType{Dims: 4, Of: tensor.Int64})
}
func (o *indicesOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	return o.fwd.outShape(), nil
}
func (o *indicesOp) DiffWRT(int) []bool { return []bool{false} }
func (o *indicesOp) SymDiff(gorgonia.Nodes, *gorgonia.Node, *gorgonia.Node) (gorgonia.Nodes, error) {
	return gorgonia.Nodes{nil}, nil
}

func (o *indicesOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vs) != 1 {
		return nil, errors.Errorf("layers: %s: got %d inputs, want 1", o.name, len(vs))
	}
	if len(o.fwd.arg) != o.fwd.outShape().TotalSize() {
		return nil, errors.New("layers: max-pooling indices read before the pooling ran")
	}
	t := o.out.get(tensor.Int64, o.fwd.outShape())
	idx := t.Int64s()
	for i, a := range o.fwd.arg {
		idx[i] = int64(a)
	}
	return t, nil
}

// unpoolOp scatters x (N, C, OH, OW) into zeros (N, C, H, W) at the Int64 indices (flat
// positions in each (H, W) plane); g.h, g.w are the output's and g.oh, g.ow the input's sizes.
// Its gradient gathers gy at the same indices.
type unpoolOp struct {
	opBase
	g   convGeom
	idx []int64 // the indices of the last run, checked
	out buffer
}

func (o *unpoolOp) Arity() int { return 2 }
func (o *unpoolOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t := gorgonia.TensorType{Dims: 4, Of: a}
	return hm.NewFnType(t, gorgonia.TensorType{Dims: 4, Of: tensor.Int64}, t)
}
func (o *unpoolOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{o.g.n, o.g.c, o.g.h, o.g.w}, nil
}
func (o *unpoolOp) DiffWRT(int) []bool { return []bool{true, false} }

func (o *unpoolOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	gx, err := gorgonia.ApplyOp(&unpoolGradOp{opBase: newBase("maxunpool2dGrad"), fwd: o}, grad)
	if err != nil {
		return nil, errors.Wrap(err, "layers: maxunpool2d gradient")
	}
	return gorgonia.Nodes{gx, nil}, nil
}

func (o *unpoolOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vs) != 2 {
		return nil, errors.Errorf("layers: %s: got %d inputs, want 2", o.name, len(vs))
	}
	t, ok := vs[1].(*tensor.Dense)
	if !ok || t.Dtype() != tensor.Int64 || t.DataSize() != o.g.n*o.g.c*o.g.oh*o.g.ow {
		return nil, errors.Errorf("layers: %s: indices are %v, want Int64 of shape (%d, %d, %d, %d)", o.name, vs[1], o.g.n, o.g.c, o.g.oh, o.g.ow)
	}
	if t.IsMaterializable() {
		t = t.Materialize().(*tensor.Dense)
	}
	hw := o.g.h * o.g.w
	for i, v := range t.Int64s() {
		if v < 0 || v >= int64(hw) {
			return nil, errors.Errorf("layers: %s: index %d at position %d is outside the output plane of %d×%d", o.name, v, i, o.g.h, o.g.w)
		}
	}
	o.idx = append(o.idx[:0], t.Int64s()...)
	return dispatch(o, o.name, 1, vs[:1], unpoolDo[float32], unpoolDo[float64])
}

func unpoolDo[T num.Float](o *unpoolOp, in inputs) (gorgonia.Value, error) {
	g := o.g
	y := o.out.get(in[0].Dtype(), tensor.Shape{g.n, g.c, g.h, g.w})
	x, ys := vals[T](in[0]), vals[T](y)
	clear(ys)
	hw, p := g.h*g.w, g.oh*g.ow
	for pl := 0; pl < g.n*g.c; pl++ {
		yp := ys[pl*hw : (pl+1)*hw]
		for j, v := range x[pl*p : (pl+1)*p] {
			yp[o.idx[pl*p+j]] = v
		}
	}
	return y, nil
}

// unpoolGradOp gathers gy at its unpoolOp's indices of the same run.
type unpoolGradOp struct {
	opBase
	fwd *unpoolOp
	out buffer
}

func (o *unpoolGradOp) Arity() int    { return 1 }
func (o *unpoolGradOp) Type() hm.Type { return fnType(4, 4) }
func (o *unpoolGradOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	g := o.fwd.g
	return tensor.Shape{g.n, g.c, g.oh, g.ow}, nil
}

func (o *unpoolGradOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	return dispatch(o, o.name, 1, vs, unpoolGradDo[float32], unpoolGradDo[float64])
}

func unpoolGradDo[T num.Float](o *unpoolGradOp, in inputs) (gorgonia.Value, error) {
	g := o.fwd.g
	if len(o.fwd.idx) != g.n*g.c*g.oh*g.ow {
		return nil, errors.New("layers: maxunpool2d gradient run before its forward pass")
	}
	gx := o.out.get(in[0].Dtype(), tensor.Shape{g.n, g.c, g.oh, g.ow})
	gy, gxs := vals[T](in[0]), vals[T](gx)
	hw, p := g.h*g.w, g.oh*g.ow
	for pl := 0; pl < g.n*g.c; pl++ {
		gyp := gy[pl*hw : (pl+1)*hw]
		for j := range gxs[pl*p : (pl+1)*p] {
			gxs[pl*p+j] = gyp[o.fwd.idx[pl*p+j]]
		}
	}
	return gx, nil
}
