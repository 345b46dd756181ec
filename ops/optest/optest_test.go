package optest_test

import (
	"fmt"
	"hash"
	"strings"
	"testing"

	"github.com/chewxy/hm"
	"github.com/stheno-ml/stheno/ops"
	"github.com/stheno-ml/stheno/ops/optest"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// cubeOp is y = x³ element-wise with a backward 3x²·g scaled by bwd: 1 is
// right, anything else wrong.
type cubeOp struct{ bwd float64 }

func (op cubeOp) Arity() int { return 1 }
func (op cubeOp) Type() hm.Type {
	t := G.TensorType{Dims: 1, Of: tensor.Float64}
	return hm.NewFnType(t, t)
}
func (op cubeOp) InferShape(s ...G.DimSizer) (tensor.Shape, error) {
	return s[0].(tensor.Shape).Clone(), nil
}
func (op cubeOp) ReturnsPtr() bool      { return false }
func (op cubeOp) CallsExtern() bool     { return false }
func (op cubeOp) OverwritesInput() int  { return -1 }
func (op cubeOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "cube%v", op.bwd) }
func (op cubeOp) Hashcode() uint32      { return uint32(op.bwd * 1000) }
func (op cubeOp) String() string        { return fmt.Sprintf("cube{bwd=%v}", op.bwd) }
func (op cubeOp) Do(in ...G.Value) (G.Value, error) {
	x := in[0].(*tensor.Dense).Float64s()
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = v * v * v
	}
	return tensor.New(tensor.WithShape(len(y)), tensor.WithBacking(y)), nil
}
func (op cubeOp) DiffWRT(int) []bool { return []bool{true} }
func (op cubeOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	sq, err := G.Square(in[0])
	if err != nil {
		return nil, err
	}
	k := G.NewConstant(3 * op.bwd)
	d, err := G.Mul(sq, k)
	if err != nil {
		return nil, err
	}
	d, err = G.HadamardProd(d, grad)
	return G.Nodes{d}, err
}

func TestCheckGradFindsWrongGradients(t *testing.T) {
	x := tensor.New(tensor.WithBacking([]float64{0.5, -1.25, 2}))
	if err := optest.CheckGrad(cubeOp{bwd: 1}, []G.Value{x}, []int{0}, nil); err != nil {
		t.Errorf("right gradient: %v", err)
	}
	err := optest.CheckGrad(cubeOp{bwd: 1.001}, []G.Value{x}, []int{0}, nil)
	if err == nil || !strings.Contains(err.Error(), "TapeMachine (SymDiff) gradient of input 0") {
		t.Errorf("gradient off by 0.1%%: error %v", err)
	}
	if err := optest.CheckGrad(cubeOp{bwd: 1}, []G.Value{x}, []int{1}, nil); err == nil {
		t.Error("wrt out of range: no error")
	}
}

// CheckGrad on a Stheno loss, both machines: CrossEntropy with class
// indices, differentiated with respect to the logits.
func ExampleCheckGrad() {
	g := G.NewGraph()
	logits := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{0.1, -2, 3, 1, 0.5, -0.5}))
	target := tensor.New(tensor.WithBacking([]int{2, 0}))
	x := G.NodeFromAny(g, logits, G.WithName("x"))
	y := G.NodeFromAny(g, target, G.WithName("y"))
	loss, err := ops.CrossEntropy(x, y, ops.WithLabelSmoothing(0.1))
	if err != nil {
		fmt.Println(err)
		return
	}
	err = optest.CheckGrad(loss.Op(), []G.Value{logits, target}, []int{0}, nil)
	fmt.Println("gradient check:", err)
	// Output:
	// gradient check: <nil>
}
