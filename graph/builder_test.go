package graph

import (
	"math"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// lin is a test module: x·Wᵀ + b with PyTorch names "weight" (out,in) and "bias" (out).
type lin struct{ in, out int }

func (l lin) Forward(b *Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	w, err := b.Param("weight", tensor.Shape{l.out, l.in}, KaimingUniform(math.Sqrt(5)))
	if err != nil {
		return nil, err
	}
	bound := 1 / math.Sqrt(float64(l.in))
	bias, err := b.Param("bias", tensor.Shape{l.out}, Uniform(-bound, bound))
	if err != nil {
		return nil, err
	}
	wt, err := gorgonia.Transpose(w)
	if err != nil {
		return nil, err
	}
	y, err := gorgonia.Mul(x, wt)
	if err != nil {
		return nil, err
	}
	return gorgonia.BroadcastAdd(y, bias, nil, []byte{0})
}

// seq is a test Sequential: children scoped "0", "1", ...
type seq []Module

func (s seq) Forward(b *Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	var err error
	for i, m := range s {
		if x, err = m.Forward(b.Scope(itoa(i)), x); err != nil {
			return nil, err
		}
	}
	return x, nil
}

func itoa(i int) string { return string(rune('0' + i)) }

// tanh is a parameter-free test module.
type tanh struct{}

func (tanh) Forward(_ *Builder, x *gorgonia.Node) (*gorgonia.Node, error) { return gorgonia.Tanh(x) }

func TestBuilderNamesAndScopes(t *testing.T) {
	s := NewStore(tensor.Float64, 1)
	b := NewBuilder(gorgonia.NewGraph(), s, true)
	if b.Name("w") != "w" {
		t.Errorf("root Name = %q", b.Name("w"))
	}
	c := b.Scope("enc").Scope("3")
	if got := c.Name("weight"); got != "enc.3.weight" {
		t.Errorf("nested Name = %q", got)
	}
	n, err := c.Param("weight", tensor.Shape{2, 3}, Zeros())
	if err != nil {
		t.Fatal(err)
	}
	if n.Name() != "enc.3.weight" {
		t.Errorf("node name %q", n.Name())
	}
	if !b.Training() || b.Dtype() != tensor.Float64 || c.Store() != s || c.Graph() != b.Graph() || c.Rand() != b.Rand() {
		t.Error("scope does not share builder state")
	}
	if len(b.Learnables()) != 1 || b.Learnables()[0] != n {
		t.Errorf("parent learnables %v", b.Learnables())
	}
}

func TestLearnablesOrderAndStoreNames(t *testing.T) {
	s := NewStore(tensor.Float32, 1)
	b := NewBuilder(gorgonia.NewGraph(), s, false)
	x := gorgonia.NewMatrix(b.Graph(), tensor.Float32, gorgonia.WithShape(4, 3), gorgonia.WithName("x"))
	m := seq{lin{3, 5}, tanh{}, lin{5, 2}}
	if _, err := m.Forward(b, x); err != nil {
		t.Fatal(err)
	}
	want := []string{"0.weight", "0.bias", "2.weight", "2.bias"}
	var got []string
	for _, n := range b.Learnables() {
		got = append(got, n.Name())
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("learnables %v, want %v", got, want)
	}
	if strings.Join(s.Names(), ",") != strings.Join(want, ",") {
		t.Errorf("store names %v, want %v", s.Names(), want)
	}
	for _, name := range want {
		if !s.IsParam(name) {
			t.Errorf("IsParam(%q) false", name)
		}
		v, _ := s.Get(name)
		if v.Dtype() != tensor.Float32 {
			t.Errorf("%s dtype %v", name, v.Dtype())
		}
	}
	w, _ := s.Get("2.weight")
	if !w.Shape().Eq(tensor.Shape{2, 5}) {
		t.Errorf("2.weight shape %v", w.Shape())
	}
}

func TestParamSharedAcrossGraphs(t *testing.T) {
	s := NewStore(tensor.Float64, 3)
	m := seq{lin{3, 4}}
	var nodes [2]*gorgonia.Node
	for i := range nodes {
		b := NewBuilder(gorgonia.NewGraph(), s, i == 0)
		x := gorgonia.NewMatrix(b.Graph(), tensor.Float64, gorgonia.WithShape(2+i, 3), gorgonia.WithName("x"))
		if _, err := m.Forward(b, x); err != nil {
			t.Fatal(err)
		}
		nodes[i] = b.Learnables()[0]
	}
	st, _ := s.Get("0.weight")
	for i, n := range nodes {
		if n.Value() != st {
			t.Errorf("graph %d: param node value is not the store tensor", i)
		}
	}
	if s.Len() != 2 {
		t.Errorf("store has %d tensors after two builds, want 2", s.Len())
	}
	// an in-place change is seen by both nodes
	st.(*tensor.Dense).Float64s()[0] = 42
	for i, n := range nodes {
		if got := n.Value().Data().([]float64)[0]; got != 42 {
			t.Errorf("graph %d sees %g after in-place update", i, got)
		}
	}
}

func TestParamSameGraphSameNode(t *testing.T) {
	s := NewStore(tensor.Float64, 3)
	b := NewBuilder(gorgonia.NewGraph(), s, true)
	n1, err := b.Param("w", tensor.Shape{2}, Zeros())
	if err != nil {
		t.Fatal(err)
	}
	n2, err := b.Param("w", tensor.Shape{2}, Zeros())
	if err != nil {
		t.Fatal(err)
	}
	if n1 != n2 || len(b.Learnables()) != 1 {
		t.Error("second Param on the same graph did not return the same node")
	}
}

func TestParamErrors(t *testing.T) {
	s := NewStore(tensor.Float64, 3)
	b := NewBuilder(gorgonia.NewGraph(), s, true)
	if _, err := b.Param("w", tensor.Shape{2, 3}, Zeros()); err != nil {
		t.Fatal(err)
	}
	b2 := NewBuilder(gorgonia.NewGraph(), s, true)
	_, err := b2.Param("w", tensor.Shape{3, 2}, Zeros())
	if err == nil || !strings.Contains(err.Error(), "(2, 3)") || !strings.Contains(err.Error(), `"w"`) {
		t.Errorf("shape mismatch on reuse: err = %v", err)
	}
	if _, err := b2.Buffer("w", tensor.Shape{2, 3}, Zeros()); err == nil {
		t.Error("Buffer over an existing parameter: no error")
	}
	if _, err := b.Param("z", tensor.Shape{2, 0}, Zeros()); err == nil {
		t.Error("zero dimension: no error")
	}
	if _, err := b.Param("s", tensor.Shape{}, Zeros()); err == nil {
		t.Error("scalar param: no error")
	}
	if _, err := b.Param("", tensor.Shape{1}, Zeros()); err == nil {
		t.Error("empty name: no error")
	}
	bad := NewBuilder(gorgonia.NewGraph(), NewStore(tensor.Int, 1), true)
	if _, err := bad.Param("w", tensor.Shape{1}, Zeros()); err == nil {
		t.Error("int store: no error")
	}
	if len(b.Learnables()) != 1 {
		t.Errorf("failed Params were registered: %v", b.Learnables())
	}
}

func TestBufferAndSet(t *testing.T) {
	s := NewStore(tensor.Float32, 3)
	b := NewBuilder(gorgonia.NewGraph(), s, true).Scope("bn")
	rm, err := b.Buffer("running_var", tensor.Shape{3}, Constant(1))
	if err != nil {
		t.Fatal(err)
	}
	nb, err := b.Buffer("num_batches_tracked", tensor.ScalarShape(), Zeros())
	if err != nil {
		t.Fatal(err)
	}
	if s.IsParam("bn.running_var") || len(b.Learnables()) != 0 {
		t.Error("buffer registered as a parameter")
	}
	if got := rm.Data().([]float32); got[0] != 1 || got[2] != 1 {
		t.Errorf("running_var %v", got)
	}
	if nb.Shape().TotalSize() != 1 {
		t.Errorf("scalar buffer shape %v", nb.Shape())
	}
	// same buffer again returns the same tensor
	rm2, _ := NewBuilder(gorgonia.NewGraph(), s, false).Scope("bn").Buffer("running_var", tensor.Shape{3}, Zeros())
	if rm2 != rm {
		t.Error("buffer not shared")
	}
	if err := s.Set("bn.running_var", tensor.New(tensor.WithBacking([]float32{4, 5, 6}))); err != nil {
		t.Fatal(err)
	}
	if got := rm.Data().([]float32); got[0] != 4 || got[2] != 6 {
		t.Errorf("after Set: %v", got)
	}
	for _, c := range []struct {
		name string
		t    tensor.Tensor
	}{
		{"nope", tensor.New(tensor.WithBacking([]float32{1}))},
		{"bn.running_var", tensor.New(tensor.WithBacking([]float64{1, 2, 3}))},
		{"bn.running_var", tensor.New(tensor.WithBacking([]float32{1, 2}))},
		{"bn.running_var", nil},
	} {
		if err := s.Set(c.name, c.t); err == nil {
			t.Errorf("Set(%q, %v): no error", c.name, c.t)
		}
	}
	if got := rm.Data().([]float32); got[0] != 4 || got[2] != 6 {
		t.Errorf("failed Set changed the tensor: %v", got)
	}
}

func TestStoreSeedReproducible(t *testing.T) {
	build := func(seed int64, names ...string) *Store {
		s := NewStore(tensor.Float64, seed)
		b := NewBuilder(gorgonia.NewGraph(), s, true)
		for _, n := range names {
			if _, err := b.Param(n, tensor.Shape{4, 4}, Normal(0, 1)); err != nil {
				t.Fatal(err)
			}
		}
		return s
	}
	a := build(5, "a", "b")
	b := build(5, "b", "a") // creation order must not matter
	c := build(6, "a", "b")
	for _, n := range []string{"a", "b"} {
		ta, _ := a.Get(n)
		tb, _ := b.Get(n)
		tc, _ := c.Get(n)
		da, db, dc := ta.Data().([]float64), tb.Data().([]float64), tc.Data().([]float64)
		for i := range da {
			if da[i] != db[i] {
				t.Fatalf("%s[%d]: %g vs %g with the same seed", n, i, da[i], db[i])
			}
		}
		if da[0] == dc[0] && da[1] == dc[1] {
			t.Errorf("%s: different seeds gave the same values", n)
		}
	}
	ta, _ := a.Get("a")
	tb, _ := a.Get("b")
	if ta.Data().([]float64)[0] == tb.Data().([]float64)[0] {
		t.Error("two tensors got the same values")
	}
	// the Builder's generator is reproducible too
	r1 := NewBuilder(gorgonia.NewGraph(), NewStore(tensor.Float64, 9), true).Rand().Int63()
	r2 := NewBuilder(gorgonia.NewGraph(), NewStore(tensor.Float64, 9), true).Rand().Int63()
	if r1 != r2 {
		t.Error("builder Rand not reproducible")
	}
}
