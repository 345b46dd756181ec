package graph

import (
	"hash/fnv"
	"math/rand"
	"sync"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/internal/num"
)

// Store holds a model's named tensors: learnable parameters and non-learnable buffers
// (e.g. BatchNorm running_mean/running_var/num_batches_tracked). Names are PyTorch state_dict
// names ("0.weight", "fc1.bias"). Insertion order is stable and is the order of Names().
//
// Tensors are created on first use by a Builder (Builder.Param, Builder.Buffer) and then live for
// the life of the store: every graph built from the store binds its parameter nodes to these very
// tensors, so an in-place solver update made through one graph is seen by all of them.
//
// The store's maps are safe for concurrent use; the tensors' contents are not synchronised (do not
// run a training step and read the same weights from another goroutine at the same time).
type Store struct {
	dt   tensor.Dtype
	seed int64

	mu       sync.Mutex
	names    []string
	entries  map[string]*entry
	builders int64
}

type entry struct {
	t     *tensor.Dense
	param bool
}

// NewStore returns an empty store whose tensors have dtype dt (tensor.Float32 or tensor.Float64).
// seed drives all initialisers reproducibly: the tensor named n is initialised from a generator seeded
// by (seed, n), so its initial values do not depend on the order in which tensors are created.
// An unsupported dtype is reported by the first Param or Buffer call.
func NewStore(dt tensor.Dtype, seed int64) *Store {
	return &Store{dt: dt, seed: seed, entries: make(map[string]*entry)}
}

// Dtype returns the dtype of every tensor in the store.
func (s *Store) Dtype() tensor.Dtype { return s.dt }

// Seed returns the seed given to NewStore.
func (s *Store) Seed() int64 { return s.seed }

// Len returns the number of tensors in the store.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.names)
}

// Names returns the names of all tensors (parameters and buffers) in insertion order.
// The returned slice is a copy.
func (s *Store) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.names...)
}

// Get returns the store's own tensor called name (not a copy: writing to it changes the model).
func (s *Store) Get(name string) (tensor.Tensor, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[name]
	if !ok {
		return nil, false
	}
	return e.t, true
}

// IsParam reports whether name is a learnable parameter; it is false for buffers and unknown names.
func (s *Store) IsParam(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[name]
	return ok && e.param
}

// Set copies the values of t into the existing tensor called name. t must have exactly the
// tensor's shape and the store's dtype.
func (s *Store) Set(name string, t tensor.Tensor) error {
	s.mu.Lock()
	e, ok := s.entries[name]
	s.mu.Unlock()
	if !ok {
		return errors.Errorf("graph: store has no tensor %q", name)
	}
	if t == nil {
		return errors.Errorf("graph: Set %q: nil tensor", name)
	}
	if t.Dtype() != s.dt {
		return errors.Errorf("graph: Set %q: dtype %v, store holds %v", name, t.Dtype(), s.dt)
	}
	if !num.SameShape(t.Shape(), e.t.Shape()) {
		return errors.Errorf("graph: Set %q: shape %v, store holds %v", name, t.Shape(), e.t.Shape())
	}
	if err := tensor.Copy(e.t, t); err != nil {
		return errors.Wrapf(err, "graph: Set %q", name)
	}
	return nil
}

// checkDtype reports whether the store's dtype is supported.
func (s *Store) checkDtype() error {
	if s.dt != tensor.Float32 && s.dt != tensor.Float64 {
		return errors.Errorf("graph: store dtype %v is not supported (use tensor.Float32 or tensor.Float64)", s.dt)
	}
	return nil
}

// nextBuilderSeed returns a distinct, reproducible seed for the next Builder on this store.
func (s *Store) nextBuilderSeed() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.builders++
	return mixSeed(s.seed, "builder", s.builders)
}

// getOrCreate returns the tensor called name, creating and initialising it if it does not exist.
// An existing tensor must have the same shape and kind (parameter or buffer).
func (s *Store) getOrCreate(name string, shape tensor.Shape, init Initializer, param bool) (*tensor.Dense, error) {
	if err := s.checkDtype(); err != nil {
		return nil, err
	}
	kind := map[bool]string{true: "parameter", false: "buffer"}
	for i, d := range shape {
		if d <= 0 {
			return nil, errors.Errorf("graph: %s %q: dimension %d of shape %v is %d, want > 0", kind[param], name, i, shape, d)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.entries[name]; ok {
		if e.param != param {
			return nil, errors.Errorf("graph: %q already exists as a %s, requested as a %s", name, kind[e.param], kind[param])
		}
		if !num.SameShape(e.t.Shape(), shape) {
			return nil, errors.Errorf("graph: %s %q has shape %v in the store, requested shape %v", kind[param], name, e.t.Shape(), shape)
		}
		return e.t, nil
	}
	if init == nil {
		init = Zeros()
	}
	vals := make([]float64, shape.TotalSize())
	init(rand.New(rand.NewSource(mixSeed(s.seed, name, 0))), shape.Clone(), vals)
	t := newDense(s.dt, shape, vals)
	s.entries[name] = &entry{t: t, param: param}
	s.names = append(s.names, name)
	return t, nil
}

// newDense makes a tensor of dtype dt (Float32 or Float64) and shape holding vals.
func newDense(dt tensor.Dtype, shape tensor.Shape, vals []float64) *tensor.Dense {
	var backing interface{}
	if dt == tensor.Float32 {
		f := make([]float32, len(vals))
		for i, v := range vals {
			f[i] = float32(v)
		}
		backing = f
	} else {
		backing = append([]float64(nil), vals...)
	}
	return tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(backing))
}

// mixSeed derives a seed from a base seed, a name and a counter (FNV-1a).
func mixSeed(seed int64, name string, n int64) int64 {
	h := fnv.New64a()
	var b [8]byte
	for i := 0; i < 8; i++ {
		b[i] = byte(uint64(seed) >> (8 * i))
	}
	h.Write(b[:])
	h.Write([]byte(name))
	for i := 0; i < 8; i++ {
		b[i] = byte(uint64(n) >> (8 * i))
	}
	h.Write(b[:])
	return int64(h.Sum64())
}
