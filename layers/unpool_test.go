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

// poolUnpool1D is MaxPool1D.ForwardIndices followed by MaxUnpool1D.
type poolUnpool1D struct {
	pool   MaxPool1D
	unpool MaxUnpool1D
}

func (m poolUnpool1D) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	y, idx, err := m.pool.ForwardIndices(b, x)
	if err != nil {
		return nil, err
	}
	return m.unpool.Forward(b, y, idx)
}

// overlapping reports whether a PoolUnpool case's pooling windows overlap: stride shorter than
// the (dilated) window along some dimension.
func (c *goldenCase) overlapping() bool {
	if c.Layer == "PoolUnpool1D" {
		st := c.cfg("stride")
		if st == 0 {
			st = c.cfg("kernel")
		}
		return st < (c.cfg("kernel")-1)*max(c.cfg("dilation"), 1)+1
	}
	k, st := c.hw("kernel"), c.hw("stride")
	return st[0] < k[0] || st[1] < k[1]
}

// Max pooling with indices, then unpooling (2-D and 1-D), against PyTorch (outputs and gradients through both);
// finite differences of the backward.
func TestUnpoolGolden(t *testing.T) { runGoldenFile(t, "unpool.json") }

// Where pooling windows overlap, one input can be the maximum of two windows; unpooling writes it
// once but its backward (a gather, as in PyTorch, whose gradients the golden test matches) gives
// it the gradient twice, so finite differences are checked on the cases without overlap.
func TestUnpoolGradCheck(t *testing.T) {
	checked := 0
	for i, c := range loadGolden(t, "unpool.json") {
		if c.Dtype != "float64" || c.Layer != "PoolUnpool" && c.Layer != "PoolUnpool1D" || c.overlapping() {
			continue
		}
		checked++
		t.Run(c.Name, func(t *testing.T) { gradCheck(t, c.module(t), c.Train, tensor.Shape(c.X.Shape), int64(i)) })
	}
	if checked < 8 {
		t.Fatalf("only %d cases without overlapping windows", checked)
	}
}

// ForwardIndices (MaxPool2D's, MaxPool1D's and AdaptiveMaxPool2D's) returns PyTorch's return_indices.
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
			case poolUnpool1D:
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

	x1 := gorgonia.NewTensor(g, tensor.Float64, 3, gorgonia.WithShape(1, 2, 3), gorgonia.WithName("x1"))
	i1 := gorgonia.NewTensor(g, tensor.Int64, 3, gorgonia.WithShape(1, 2, 3), gorgonia.WithName("i1"))
	_, err = MaxUnpool1D{Kernel: 2, OutputSize: 8}.Forward(b, x1, i1)
	wantErr(t, err, "MaxUnpool1D: OutputSize=8, want a size between 4 and 8 (exclusive)")
	_, err = MaxUnpool1D{Kernel: 2}.Forward(b, x1, idx)
	wantErr(t, err, "want an Int64 node of the input's shape (1, 2, 3)")
	_, err = MaxUnpool1D{}.Forward(b, x1, i1)
	wantErr(t, err, "Kernel=0 must be positive")
	_, err = MaxUnpool1D{Kernel: 2}.Forward(b, x, idx)
	wantErr(t, err, "MaxUnpool1D: input has shape (1, 1, 2, 2), want (N, C, L) or (C, L)")
}
