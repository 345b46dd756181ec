package models

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/graph"
)

// affine is a test module with two parameters and BatchNorm-like buffers:
// y = tanh(x·Wᵀ + b) * running_var[0]; it also registers running_mean and num_batches_tracked.
type affine struct{ in, out int }

func (a affine) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	w, err := b.Param("weight", tensor.Shape{a.out, a.in}, graph.KaimingUniform(math.Sqrt(5)))
	if err != nil {
		return nil, err
	}
	bias, err := b.Param("bias", tensor.Shape{a.out}, graph.Uniform(-1, 1))
	if err != nil {
		return nil, err
	}
	for _, buf := range []struct {
		name  string
		shape tensor.Shape
		init  graph.Initializer
	}{{"running_mean", tensor.Shape{a.out}, graph.Uniform(-1, 1)}, {"running_var", tensor.Shape{a.out}, graph.Constant(1)}, {"num_batches_tracked", tensor.ScalarShape(), graph.Constant(7)}} {
		if _, err := b.Buffer(buf.name, buf.shape, buf.init); err != nil {
			return nil, err
		}
	}
	wt := gorgonia.Must(gorgonia.Transpose(w))
	y := gorgonia.Must(gorgonia.BroadcastAdd(gorgonia.Must(gorgonia.Mul(x, wt)), bias, nil, []byte{0}))
	return gorgonia.Tanh(y)
}

type twoLayers struct{}

func (twoLayers) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	h, err := affine{3, 4}.Forward(b.Scope("0"), x)
	if err != nil {
		return nil, err
	}
	return affine{4, 2}.Forward(b.Scope("1"), h)
}

func newStore(t testing.TB, dt tensor.Dtype, seed int64) (*graph.Store, *graph.Evaluator) {
	t.Helper()
	s := graph.NewStore(dt, seed)
	ev, err := graph.NewEvaluator(twoLayers{}, s, tensor.Shape{5, 3})
	if err != nil {
		t.Fatal(err)
	}
	return s, ev
}

func input(dt tensor.Dtype) tensor.Tensor {
	v := make([]float64, 15)
	for i := range v {
		v[i] = math.Sin(float64(i))
	}
	if dt == tensor.Float32 {
		f := make([]float32, 15)
		for i := range v {
			f[i] = float32(v[i])
		}
		return tensor.New(tensor.WithShape(5, 3), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(5, 3), tensor.WithBacking(v))
}

// snapshot copies every tensor of s.
func snapshot(s *graph.Store) map[string][]float64 {
	out := map[string][]float64{}
	for _, n := range s.Names() {
		t, _ := s.Get(n)
		v, _ := float64s(t)
		out[n] = append([]float64(nil), v...)
	}
	return out
}

func equalSnap(a, b map[string][]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for n, va := range a {
		vb := b[n]
		if len(va) != len(vb) {
			return false
		}
		for i := range va {
			if math.Float64bits(va[i]) != math.Float64bits(vb[i]) {
				return false
			}
		}
	}
	return true
}

func TestSaveLoadRoundTrip(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		src, evSrc := newStore(t, dt, 1)
		dst, evDst := newStore(t, dt, 2)
		path := filepath.Join(t.TempDir(), "m.safetensors")
		if err := Save(path, src); err != nil {
			t.Fatal(err)
		}
		if equalSnap(snapshot(src), snapshot(dst)) {
			t.Fatal("different seeds gave identical stores")
		}
		if err := Load(path, dst); err != nil {
			t.Fatal(err)
		}
		if !equalSnap(snapshot(src), snapshot(dst)) {
			t.Errorf("%v: loaded store differs from saved store", dt)
		}
		a, err := evSrc.Forward(input(dt))
		if err != nil {
			t.Fatal(err)
		}
		b, err := evDst.Forward(input(dt))
		if err != nil {
			t.Fatal(err)
		}
		av, _ := float64s(a)
		bv, _ := float64s(b)
		for i := range av {
			if math.Float64bits(av[i]) != math.Float64bits(bv[i]) {
				t.Errorf("%v: output %d: %g after load, %g before save", dt, i, bv[i], av[i])
			}
		}
		nb, _ := dst.Get("1.num_batches_tracked")
		if v, _ := float64s(nb); v[0] != 7 {
			t.Errorf("num_batches_tracked = %v", v)
		}
		// no temp files left behind
		if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
			t.Errorf("directory holds %d entries after Save", len(ents))
		}
	}
}

// TestSaveFormat checks the header a Save writes: dtypes, shapes, I64 counter, 8-byte alignment.
func TestSaveFormat(t *testing.T) {
	s, _ := newStore(t, tensor.Float32, 1)
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := Save(path, s); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(raw)
	if n%8 != 0 {
		t.Errorf("header length %d not a multiple of 8", n)
	}
	h := string(raw[8 : 8+n])
	for _, want := range []string{
		`"0.weight":{"dtype":"F32","shape":[4,3]`,
		`"1.num_batches_tracked":{"dtype":"I64","shape":[]`,
		`"__metadata__":{"format":"pt"}`,
	} {
		if !strings.Contains(h, want) {
			t.Errorf("header lacks %s:\n%s", want, h)
		}
	}
	// 2 layers: weight, bias, running_mean, running_var as F32 + one I64 each
	if want := 4*(12+4+4+4+8+2+2+2) + 2*8; len(raw)-8-int(n) != want {
		t.Errorf("data section %d bytes, want %d", len(raw)-8-int(n), want)
	}
}

// corrupt saves a valid checkpoint, lets f damage its bytes, and returns the path.
func corrupt(t *testing.T, s *graph.Store, f func(raw []byte) []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := Save(path, s); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, f(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// replaceHeader rewrites the JSON header (keeping its length by padding with spaces).
func replaceHeader(old, new string) func([]byte) []byte {
	return func(raw []byte) []byte {
		n := binary.LittleEndian.Uint64(raw)
		h := string(raw[8 : 8+n])
		if !strings.Contains(h, old) {
			panic("header lacks " + old)
		}
		h = strings.Replace(h, old, new, 1)
		out := make([]byte, 8, len(raw)+len(new))
		binary.LittleEndian.PutUint64(out, uint64(len(h)))
		out = append(out, h...)
		return append(out, raw[8+n:]...)
	}
}

func TestLoadErrorsLeaveStoreUnchanged(t *testing.T) {
	src, _ := newStore(t, tensor.Float64, 1)
	cases := []struct {
		name string
		path func() string
		msg  string
	}{
		{"missing file", func() string { return filepath.Join(t.TempDir(), "nope") }, "no such file"},
		{"empty", func() string { return corrupt(t, src, func([]byte) []byte { return nil }) }, "too short"},
		{"truncated data", func() string { return corrupt(t, src, func(r []byte) []byte { return r[:len(r)-3] }) }, "truncated"},
		{"truncated header", func() string { return corrupt(t, src, func(r []byte) []byte { return r[:40] }) }, "header length"},
		{"trailing bytes", func() string { return corrupt(t, src, func(r []byte) []byte { return append(r, 0) }) }, "trailing"},
		{"huge header length", func() string {
			return corrupt(t, src, func(r []byte) []byte { binary.LittleEndian.PutUint64(r, 1<<62); return r })
		}, "header length"},
		{"garbage header", func() string {
			return corrupt(t, src, func(r []byte) []byte { copy(r[8:], "#!garbage"); return r })
		}, "not a valid JSON"},
		{"wrong name", func() string { return corrupt(t, src, replaceHeader(`"0.bias"`, `"0.bias_"`)) }, `missing tensors ["0.bias"]; unexpected tensors ["0.bias_"]`},
		{"wrong shape", func() string { return corrupt(t, src, replaceHeader(`"shape":[4,3]`, `"shape":[3,4]`)) }, `"0.weight": shape [3 4]`},
		{"wrong dtype", func() string {
			return corrupt(t, src, replaceHeader(`"0.weight":{"dtype":"F64"`, `"0.weight":{"dtype":"F32"`))
		}, `"0.weight": dtype F32`},
		{"counter as float", func() string {
			return corrupt(t, src, replaceHeader(`"0.num_batches_tracked":{"dtype":"I64"`, `"0.num_batches_tracked":{"dtype":"F64"`))
		}, "needs I64"},
		{"overlapping offsets", func() string { return corrupt(t, src, replaceHeader(`"data_offsets":[0,`, `"data_offsets":[8,`)) }, "data_offsets"},
		{"unknown field", func() string { return corrupt(t, src, replaceHeader(`"0.bias":{`, `"0.bias":{"x":1,`)) }, "bad header entry"},
	}
	for _, c := range cases {
		dst, _ := newStore(t, tensor.Float64, 2)
		before := snapshot(dst)
		err := Load(c.path(), dst)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: want error containing %q, got %v", c.name, c.msg, err)
		}
		if !equalSnap(before, snapshot(dst)) {
			t.Errorf("%s: failed Load changed the store", c.name)
		}
	}
	// an extra tensor: a checkpoint of a bigger model
	big := graph.NewStore(tensor.Float64, 1)
	if _, err := graph.NewEvaluator(twoLayers{}, big, tensor.Shape{1, 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := graph.NewBuilder(gorgonia.NewGraph(), big, false).Buffer("extra", tensor.Shape{2}, graph.Zeros()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "big.safetensors")
	if err := Save(path, big); err != nil {
		t.Fatal(err)
	}
	dst, _ := newStore(t, tensor.Float64, 2)
	before := snapshot(dst)
	if err := Load(path, dst); err == nil || !strings.Contains(err.Error(), `unexpected tensors ["extra"]`) {
		t.Errorf("extra tensor: %v", err)
	}
	if !equalSnap(before, snapshot(dst)) {
		t.Error("extra tensor: failed Load changed the store")
	}
	// a float32 checkpoint into a float64 store
	s32, _ := newStore(t, tensor.Float32, 1)
	p32 := filepath.Join(t.TempDir(), "f32.safetensors")
	if err := Save(p32, s32); err != nil {
		t.Fatal(err)
	}
	if err := Load(p32, dst); err == nil || !strings.Contains(err.Error(), "dtype F32, the model needs F64") {
		t.Errorf("F32 into F64 store: %v", err)
	}
}

func TestSaveErrors(t *testing.T) {
	s, _ := newStore(t, tensor.Float64, 1)
	if err := Save(filepath.Join(t.TempDir(), "no", "such", "dir", "m.safetensors"), s); err == nil {
		t.Error("Save into a missing directory: no error")
	}
	if err := Save(filepath.Join(t.TempDir(), "m"), nil); err == nil {
		t.Error("Save(nil store): no error")
	}
}

// TestLoadRejectsDuplicateNames is issue 8, defect 9: a header naming a tensor twice (the first
// entry with another dtype and shape) was accepted, the last entry silently winning.
func TestLoadRejectsDuplicateNames(t *testing.T) {
	src, _ := newStore(t, tensor.Float64, 1)
	path := corrupt(t, src, replaceHeader(`"0.bias":{`, `"0.bias":{"dtype":"F32","shape":[9],"data_offsets":[0,36]},"0.bias":{`))
	dst, _ := newStore(t, tensor.Float64, 2)
	before := snapshot(dst)
	err := Load(path, dst)
	if err == nil || !strings.Contains(err.Error(), `header names tensor "0.bias" twice`) || !strings.Contains(err.Error(), path) {
		t.Errorf("duplicate name: got %v", err)
	}
	if !equalSnap(before, snapshot(dst)) {
		t.Error("failed Load changed the store")
	}
	// The same file without the duplicate loads.
	if err := Load(corrupt(t, src, func(r []byte) []byte { return r }), dst); err != nil {
		t.Fatal(err)
	}
	if !equalSnap(snapshot(src), snapshot(dst)) {
		t.Error("round trip differs")
	}
}

func TestWriteRead(t *testing.T) {
	src, _ := newStore(t, tensor.Float32, 1)
	var buf bytes.Buffer
	if err := Write(&buf, src); err != nil {
		t.Fatal(err)
	}
	dst, _ := newStore(t, tensor.Float32, 2)
	if err := Read(bytes.NewReader(buf.Bytes()), dst); err != nil {
		t.Fatal(err)
	}
	if !equalSnap(snapshot(src), snapshot(dst)) {
		t.Error("Write/Read round trip differs")
	}
	if err := Read(bytes.NewReader(buf.Bytes()[:buf.Len()-1]), dst); err == nil || !strings.Contains(err.Error(), "models: Read") {
		t.Errorf("truncated Read: %v", err)
	}
}
