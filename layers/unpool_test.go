package layers

import (
	"testing"

	"github.com/stheno-ml/stheno/graph"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// poolUnpool is MaxPool2D.ForwardIndices followed by MaxUnpool2D, as one module for the goldens.
type poolUnpool struct {
	pool   MaxPool2D
	unpool MaxUnpool2D
}

func (m poolUnpool) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	y, idx, err := m.pool.ForwardIndices(b, x)
	if err != nil {
		return nil, err
	}
	return m.unpool.Forward(b, y, idx)
}

// Max pooling with indices, then unpooling, against PyTorch (outputs and gradients through both);
// finite differences of the backward.
func TestUnpoolGolden(t *testing.T) { runGoldenFile(t, "unpool.json") }

// Where pooling windows overlap, one input can be the maximum of two windows; unpooling writes it
// once but its backward (a gather, as in PyTorch, whose gradients the golden test matches) gives
// it the gradient twice, so finite differences are checked on the cases without overlap.
func TestUnpoolGradCheck(t *testing.T) {
	for i, c := range loadGolden(t, "unpool.json") {
		if c.Dtype != "float64" || c.Name == "k3s2p1" || c.Name == "overlap_s1" || c.Name == "nonsquare" || c.Layer != "PoolUnpool" {
			continue
		}
		t.Run(c.Name, func(t *testing.T) { gradCheck(t, c.module(t), c.Train, tensor.Shape(c.X.Shape), int64(i)) })
	}
}

// ForwardIndices (MaxPool2D's and AdaptiveMaxPool2D's) returns PyTorch's return_indices.
func TestMaxPoolIndicesGolden(t *testing.T) {
	for _, c := range loadGolden(t, "unpool.json") {
		t.Run(c.Name+"_"+c.Dtype, func(t *testing.T) {
			dt := c.dtype()
			g := gorgonia.NewGraph()
			b := graph.NewBuilder(g, graph.NewStore(dt, 1), true)
			xv := denseFrom(dt, c.X)
			x := gorgonia.NewTensor(g, dt, xv.Dims(), gorgonia.WithShape(xv.Shape()...), gorgonia.WithName("x"), gorgonia.WithValue(xv))
			var m interface {
				ForwardIndices(*graph.Builder, *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error)
			}
			switch l := c.module(t).(type) {
			case poolUnpool:
				m = l.pool
			case AdaptiveMaxPool2D:
				m = l
			}
			_, idx, err := m.ForwardIndices(b, x)
			if err != nil {
				t.Fatal(err)
			}
			vm := gorgonia.NewTapeMachine(g)
			defer vm.Close()
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			if !idx.Shape().Eq(tensor.Shape(c.Indices.Shape)) {
				t.Fatalf("indices shape %v, want %v", idx.Shape(), c.Indices.Shape)
			}
			for i, v := range idx.Value().Data().([]int64) {
				if float64(v) != c.Indices.Data[i] {
					t.Fatalf("index %d: %d, want %v", i, v, c.Indices.Data[i])
				}
			}
		})
	}
}

func TestUnpoolErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	b := graph.NewBuilder(g, graph.NewStore(tensor.Float64, 1), true)
	x := gorgonia.NewTensor(g, tensor.Float64, 4, gorgonia.WithShape(1, 1, 2, 2), gorgonia.WithName("x"))
	idx := gorgonia.NewTensor(g, tensor.Int64, 4, gorgonia.WithShape(1, 1, 2, 2), gorgonia.WithName("i"))
	_, err := MaxUnpool2D{Kernel: 2, OutputSizeHW: [2]int{6, 4}}.Forward(b, x, idx)
	wantErr(t, err, "OutputSizeHW=[6 4], want sizes between [2 2] and [6 6]")
	_, err = MaxUnpool2D{Kernel: 2}.Forward(b, x, x)
	wantErr(t, err, "want an Int64 node")
	// An index outside the output plane is an error when the graph runs.
	op := &unpoolOp{opBase: newBase("u"), g: convGeom{n: 1, c: 1, h: 2, w: 2, oh: 1, ow: 1}}
	_, err = op.Do(tensor.New(tensor.WithShape(1, 1, 1, 1), tensor.WithBacking([]float64{1})),
		tensor.New(tensor.WithShape(1, 1, 1, 1), tensor.WithBacking([]int64{4})))
	wantErr(t, err, "index 4 at position 0 is outside the output plane")
}
