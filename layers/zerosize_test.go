package layers

import (
	"fmt"
	"testing"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/internal/num"
	"gorgonia.org/tensor"
)

// Every layer refuses an input with a zero-size dimension when the graph is built (issue 8,
// defect 15): Gorgonia's TapeMachine would otherwise panic on it in a goroutine of its own.
func TestZeroSizeInputIsAnError(t *testing.T) {
	t.Run("float32", testZeroSizeInputIsAnError[float32])
	t.Run("float64", testZeroSizeInputIsAnError[float64])
}

func testZeroSizeInputIsAnError[T num.Float](t *testing.T) {
	for _, c := range []struct {
		m     graph.Module
		shape []int
	}{
		{Linear{In: 3, Out: 2}, []int{0, 3}},
		{Conv2D{In: 1, Out: 2, Kernel: 3}, []int{0, 1, 5, 5}},
		{Conv2D{In: 1, Out: 2, Kernel: 1}, []int{2, 1, 0, 5}},
		{MaxPool2D{Kernel: 2}, []int{0, 1, 4, 4}},
		{AvgPool2D{Kernel: 2}, []int{2, 0, 4, 4}},
		{BatchNorm1D{Features: 3}, []int{0, 3}},
		{BatchNorm2D{Features: 3}, []int{2, 3, 0, 4}},
		{Dropout{}, []int{0, 3}},
		{ReLU{}, []int{0, 3}},
		{LeakyReLU{}, []int{3, 0}},
		{Tanh{}, []int{0}},
		{Sigmoid{}, []int{0, 2}},
		{GELU{}, []int{0, 2}},
		{Softmax{}, []int{0, 10}},
		{LogSoftmax{}, []int{4, 0}},
		{Flatten{}, []int{0, 2, 3}},
		{Sequential{ReLU{}}, []int{0, 3}},
	} {
		t.Run(fmt.Sprintf("%T%v", c.m, c.shape), func(t *testing.T) {
			wantErr(t, buildErrStore(c.m, num.Dtype[T](), c.shape...), "empty inputs are not supported")
		})
	}
}

// An empty value reaching an op at run time is an error too.
func TestZeroSizeValueIsAnError(t *testing.T) {
	t.Run("float32", testZeroSizeValueIsAnError[float32])
	t.Run("float64", testZeroSizeValueIsAnError[float64])
}

func testZeroSizeValueIsAnError[T num.Float](t *testing.T) {
	x := tensor.New(tensor.Of(num.Dtype[T]()), tensor.WithShape(0, 3))
	_, err := newActOp(actReLU, 0, 2).Do(x)
	wantErr(t, err, "empty inputs are not supported")
}
