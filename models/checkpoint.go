package models

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/internal/fsx"
)

// Checkpoints use the safetensors format (https://github.com/huggingface/safetensors):
//
//	8 bytes      little-endian uint64 N, the length of the header
//	N bytes      JSON header: {"name": {"dtype": "F32", "shape": [out, in], "data_offsets": [begin, end]}, ...,
//	             "__metadata__": {"format": "pt"}}, padded with spaces to a multiple of 8 bytes
//	rest         the tensors' raw little-endian row-major data; offsets are relative to its start
//
// Tensor names and layouts are those of the PyTorch state_dict of the equivalent torch model.

// maxHeader bounds the JSON header length a checkpoint may declare (safetensors uses the same limit).
const maxHeader = 100 << 20

// counterSuffix marks buffers that PyTorch stores as int64 scalars (BatchNorm's step counter).
const counterSuffix = "num_batches_tracked"

type tensorInfo struct {
	Dtype       string   `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// fileDtype returns the safetensors dtype a store tensor is written as.
func fileDtype(name string, dt tensor.Dtype) string {
	switch {
	case isCounter(name):
		return "I64"
	case dt == tensor.Float32:
		return "F32"
	default:
		return "F64"
	}
}

func isCounter(name string) bool {
	return name == counterSuffix || strings.HasSuffix(name, "."+counterSuffix)
}

func elemSize(dtype string) int64 {
	if dtype == "F32" {
		return 4
	}
	return 8
}

// Save writes every tensor of s (parameters and buffers) to path in safetensors format, with the
// store's names (PyTorch state_dict names). Float tensors are written as F32 or F64 (the store's
// dtype); buffers named "...num_batches_tracked" as I64 scalars (shape []), as PyTorch does. The file is
// written atomically and durably (temporary file, fsync, rename, fsync of the directory).
func Save(path string, s *graph.Store) error {
	return fsx.WriteFile(path, 0o644, func(w io.Writer) error { return Write(w, s) })
}

// Write writes every tensor of s to w in safetensors format, as Save does.
func Write(w io.Writer, s *graph.Store) error {
	if s == nil {
		return errors.New("models: Save: nil store")
	}
	if dt := s.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return errors.Errorf("models: Save: store dtype %v not supported", dt)
	}
	names := s.Names()
	header := make(map[string]interface{}, len(names)+1)
	header["__metadata__"] = map[string]string{"format": "pt"}
	var data bytes.Buffer
	for _, name := range names {
		t, _ := s.Get(name)
		vals, err := float64s(t)
		if err != nil {
			return errors.Wrapf(err, "models: Save: tensor %q", name)
		}
		dtype := fileDtype(name, s.Dtype())
		begin := int64(data.Len())
		var b [8]byte
		for _, v := range vals {
			switch dtype {
			case "F32":
				binary.LittleEndian.PutUint32(b[:4], math.Float32bits(float32(v)))
				data.Write(b[:4])
			case "F64":
				binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
				data.Write(b[:])
			case "I64":
				binary.LittleEndian.PutUint64(b[:], uint64(int64(math.Round(v))))
				data.Write(b[:])
			}
		}
		shape := append([]int{}, t.Shape()...)
		if dtype == "I64" && len(vals) == 1 {
			shape = []int{} // PyTorch's num_batches_tracked is a 0-d tensor
		}
		header[name] = tensorInfo{Dtype: dtype, Shape: shape, DataOffsets: [2]int64{begin, int64(data.Len())}}
	}
	hj, err := json.Marshal(header)
	if err != nil {
		return errors.Wrap(err, "models: Save: header")
	}
	for len(hj)%8 != 0 {
		hj = append(hj, ' ')
	}
	var out bytes.Buffer
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(hj)))
	out.Write(n[:])
	out.Write(hj)
	out.Write(data.Bytes())
	_, err = w.Write(out.Bytes())
	return errors.Wrap(err, "models: Save")
}

// float64s returns the values of a store tensor.
func float64s(t tensor.Tensor) ([]float64, error) {
	switch d := t.Data().(type) {
	case []float64:
		return d, nil
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out, nil
	case float64:
		return []float64{d}, nil
	case float32:
		return []float64{float64(d)}, nil
	}
	return nil, errors.Errorf("unsupported data %T", t.Data())
}

// Load reads a safetensors checkpoint from path into s. The file must hold exactly the store's
// tensors (same names, shapes, and dtypes: the store's F32/F64, or I64 for "num_batches_tracked"
// buffers, whose shape may be [] as in PyTorch or [1]). Everything is validated — header length, JSON, dtypes, offsets in range and contiguous,
// names (missing and unexpected ones are listed), shapes — before anything in the store is changed:
// a truncated, corrupt or mismatched file is an error and leaves the store as it was.
func Load(path string, s *graph.Store) error {
	if s == nil {
		return errors.New("models: Load: nil store")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return errors.Wrap(err, "models: Load")
	}
	return errors.Wrapf(load(raw, s), "models: Load %s", path)
}

// Read reads a safetensors checkpoint from r into s, with Load's checks.
func Read(r io.Reader, s *graph.Store) error {
	if s == nil {
		return errors.New("models: Read: nil store")
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return errors.Wrap(err, "models: Read")
	}
	return errors.Wrap(load(raw, s), "models: Read")
}

// load decodes raw into s; s is unchanged on error.
func load(raw []byte, s *graph.Store) error {
	vals, err := decode(raw, s)
	if err != nil {
		return err
	}
	for _, name := range s.Names() {
		t, _ := s.Get(name)
		var v tensor.Tensor
		if s.Dtype() == tensor.Float32 {
			f := make([]float32, len(vals[name]))
			for i, x := range vals[name] {
				f[i] = float32(x)
			}
			v = tensor.New(tensor.WithShape(t.Shape().Clone()...), tensor.WithBacking(f))
		} else {
			v = tensor.New(tensor.WithShape(t.Shape().Clone()...), tensor.WithBacking(vals[name]))
		}
		if err := s.Set(name, v); err != nil { // cannot fail after decode's checks
			return err
		}
	}
	return nil
}

// decode validates a whole checkpoint against s and returns every tensor's values by name.
func decode(raw []byte, s *graph.Store) (map[string][]float64, error) {
	if len(raw) < 8 {
		return nil, errors.Errorf("file is %d bytes, too short for the 8-byte header length (truncated?)", len(raw))
	}
	n := binary.LittleEndian.Uint64(raw[:8])
	if n > maxHeader || n > uint64(len(raw)-8) {
		return nil, errors.Errorf("header length %d does not fit in a %d-byte file (truncated or not safetensors)", n, len(raw))
	}
	hdr := raw[8 : 8+n]
	data := raw[8+n:]
	entries, err := headerEntries(hdr)
	if err != nil {
		return nil, err
	}
	infos := make(map[string]tensorInfo, len(entries))
	for _, e := range entries {
		name, msg := e.name, e.msg
		if name == "__metadata__" {
			var meta map[string]string
			if err := json.Unmarshal(msg, &meta); err != nil {
				return nil, errors.Wrap(err, "__metadata__ is not a string map")
			}
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(msg))
		dec.DisallowUnknownFields()
		var info tensorInfo
		if err := dec.Decode(&info); err != nil {
			return nil, errors.Wrapf(err, "tensor %q: bad header entry", name)
		}
		infos[name] = info
	}

	// names
	var missing, extra []string
	for _, name := range s.Names() {
		if _, ok := infos[name]; !ok {
			missing = append(missing, name)
		}
	}
	for name := range infos {
		if _, ok := s.Get(name); !ok {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		var parts []string
		if len(missing) > 0 {
			parts = append(parts, fmt.Sprintf("missing tensors %q", missing))
		}
		if len(extra) > 0 {
			parts = append(parts, fmt.Sprintf("unexpected tensors %q", extra))
		}
		return nil, errors.Errorf("checkpoint does not match the model: %s", strings.Join(parts, "; "))
	}

	// dtypes, shapes, sizes
	order := make([]string, 0, len(infos))
	for _, name := range s.Names() {
		info := infos[name]
		t, _ := s.Get(name)
		if want := fileDtype(name, s.Dtype()); info.Dtype != want {
			return nil, errors.Errorf("tensor %q: dtype %s, the model needs %s", name, info.Dtype, want)
		}
		if !sameShape(info.Shape, t.Shape()) && !(isCounter(name) && isOne(info.Shape) && t.Shape().TotalSize() == 1) {
			return nil, errors.Errorf("tensor %q: shape %v, the model needs %v", name, info.Shape, []int(t.Shape()))
		}
		size := int64(1)
		for _, d := range info.Shape {
			size *= int64(d)
		}
		if b, e := info.DataOffsets[0], info.DataOffsets[1]; b < 0 || e < b || e-b != size*elemSize(info.Dtype) {
			return nil, errors.Errorf("tensor %q: data_offsets [%d, %d] do not hold %d %s values", name, b, e, size, info.Dtype)
		}
		order = append(order, name)
	}

	// offsets: in range and contiguous, covering the whole data section
	sort.Slice(order, func(i, j int) bool { return infos[order[i]].DataOffsets[0] < infos[order[j]].DataOffsets[0] })
	var pos int64
	for _, name := range order {
		off := infos[name].DataOffsets
		if off[0] != pos {
			return nil, errors.Errorf("tensor %q: data starts at %d, want %d (offsets must be contiguous)", name, off[0], pos)
		}
		pos = off[1]
	}
	if pos != int64(len(data)) {
		return nil, errors.Errorf("tensors hold %d bytes of data but the file has %d after the header (truncated or trailing bytes)", pos, len(data))
	}

	vals := make(map[string][]float64, len(order))
	for _, name := range order {
		info := infos[name]
		buf := data[info.DataOffsets[0]:info.DataOffsets[1]]
		sz := elemSize(info.Dtype)
		v := make([]float64, int64(len(buf))/sz)
		for i := range v {
			switch info.Dtype {
			case "F32":
				v[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:])))
			case "F64":
				v[i] = math.Float64frombits(binary.LittleEndian.Uint64(buf[8*i:]))
			case "I64":
				v[i] = float64(int64(binary.LittleEndian.Uint64(buf[8*i:])))
			}
		}
		vals[name] = v
	}
	return vals, nil
}

type headerEntry struct {
	name string
	msg  json.RawMessage
}

// headerEntries splits the JSON header object into its entries in file order, rejecting a name
// that appears twice (encoding/json would silently keep the last one).
func headerEntries(hdr []byte) ([]headerEntry, error) {
	dec := json.NewDecoder(bytes.NewReader(hdr))
	bad := func(err error) error { return errors.Wrap(err, "header is not a valid JSON object") }
	if tok, err := dec.Token(); err != nil {
		return nil, bad(err)
	} else if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.Errorf("header is not a valid JSON object (starts with %v)", tok)
	}
	var out []headerEntry
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, bad(err)
		}
		name, ok := tok.(string)
		if !ok {
			return nil, errors.Errorf("header is not a valid JSON object (key %v)", tok)
		}
		if seen[name] {
			return nil, errors.Errorf("header names tensor %q twice", name)
		}
		seen[name] = true
		var msg json.RawMessage
		if err := dec.Decode(&msg); err != nil {
			return nil, bad(err)
		}
		out = append(out, headerEntry{name, msg})
	}
	if _, err := dec.Token(); err != nil {
		return nil, bad(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("header is not a valid JSON object (data after the closing brace)")
	}
	return out, nil
}

func sameShape(a []int, b tensor.Shape) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// isOne reports whether shape holds one element as a scalar [] or [1].
func isOne(shape []int) bool {
	return len(shape) == 0 || (len(shape) == 1 && shape[0] == 1)
}
