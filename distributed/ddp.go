package distributed

import (
	"time"
	"unsafe"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/internal/num"
)

// DefaultBucketBytes is the default bucket size of DataParallel's gradient all-reduce, DDP's
// bucket_cap_mb of 25 MiB.
const DefaultBucketBytes = 25 << 20

// DDPOption configures NewDataParallel.
type DDPOption func(*DataParallel) error

// WithBucketBytes sets the size in bytes of the buckets the gradients are flattened into for the
// all-reduce (default DefaultBucketBytes): one all-reduce per bucket, so fewer, larger buckets
// pay the latency fewer times; a parameter may straddle two buckets.
func WithBucketBytes(n int) DDPOption {
	return func(d *DataParallel) error {
		if n < 8 {
			return errors.Errorf("distributed: WithBucketBytes(%d): want at least 8 bytes", n)
		}
		d.bucketBytes = n
		return nil
	}
}

// DataParallel is a gorgonia.Solver that makes the ranks of a job train one model together, as
// PyTorch's DistributedDataParallel: Step averages the gradients over all ranks (flattened into
// buckets, all-reduced, divided by the world size), broadcasts rank 0's buffers (BatchNorm running
// statistics) and then steps the wrapped solver, which therefore applies the same update on every
// rank. Give it to graph.NewTrainer in place of the solver; feed every rank its own shard of each
// batch (data.WithShard) and use a mean-reduced loss.
//
// Every rank must build the same model on a store of the same dtype. On one rank (Size 1) Step is
// exactly the wrapped solver's Step. After warm-up Step allocates nothing of its own. Not safe for
// concurrent use.
type DataParallel struct {
	c           Communicator
	inner       gorgonia.Solver
	store       *graph.Store
	bucketBytes int
	s           syncer
	synced      bool
	checked     bool
	comm        time.Duration
	steps       int
}

// NewDataParallel wraps inner for the job of c, to be given to graph.NewTrainer. Building the
// trainer creates the model's tensors in store; call Sync after that and before the first Step
// (NewTrainer in this package does both).
func NewDataParallel(c Communicator, store *graph.Store, inner gorgonia.Solver, opts ...DDPOption) (*DataParallel, error) {
	if c == nil || store == nil || inner == nil {
		return nil, errors.New("distributed: NewDataParallel: nil communicator, store or solver")
	}
	d := &DataParallel{c: c, inner: inner, store: store, bucketBytes: DefaultBucketBytes}
	for _, o := range opts {
		if err := o(d); err != nil {
			return nil, err
		}
	}
	switch store.Dtype() {
	case tensor.Float32:
		d.s = &dp[float32]{}
	case tensor.Float64:
		d.s = &dp[float64]{}
	default:
		return nil, errors.Errorf("distributed: NewDataParallel: store dtype %v, want float32 or float64", store.Dtype())
	}
	return d, nil
}

// NewTrainer is graph.NewTrainer for data-parallel training, DDP's constructor: it builds the
// trainer with a DataParallel around solver and broadcasts rank 0's parameters and buffers
// (Sync). Every rank must call it with the same model; xShape and yShape are this rank's share
// of the batch.
func NewTrainer(c Communicator, m graph.Module, s *graph.Store, xShape tensor.Shape, yDtype tensor.Dtype, yShape tensor.Shape,
	loss graph.LossFunc, solver gorgonia.Solver, opts ...DDPOption) (*graph.Trainer, *DataParallel, error) {
	d, err := NewDataParallel(c, s, solver, opts...)
	if err != nil {
		return nil, nil, err
	}
	t, err := graph.NewTrainer(m, s, xShape, yDtype, yShape, loss, d)
	if err != nil {
		return nil, nil, err
	}
	if err := d.Sync(); err != nil {
		t.Close()
		return nil, nil, err
	}
	return t, d, nil
}

// Sync broadcasts rank 0's parameters and buffers to every rank: after the model is built and
// before the first Step, and again after loading a checkpoint on some ranks only. Every rank
// must call it.
func (d *DataParallel) Sync() error {
	start := time.Now()
	defer func() { d.comm += time.Since(start) }()
	if err := d.s.broadcast(d.c, d.store, true); err != nil {
		return err
	}
	d.synced = true
	return nil
}

// Step averages the gradients over the ranks, broadcasts rank 0's buffers and steps the wrapped
// solver. Every rank must call it once per training step.
func (d *DataParallel) Step(grads []gorgonia.ValueGrad) error {
	if d.c.Size() > 1 {
		if !d.synced {
			return errors.New("distributed: DataParallel.Step before Sync: broadcast rank 0's weights once the model is built (or use distributed.NewTrainer)")
		}
		start := time.Now()
		if !d.checked {
			if err := d.s.check(d.c, grads); err != nil {
				return err
			}
			d.checked = true
		}
		if err := d.s.allReduce(d.c, grads, d.bucketBytes); err != nil {
			return err
		}
		if err := d.s.broadcast(d.c, d.store, false); err != nil {
			return err
		}
		d.comm += time.Since(start)
	}
	d.steps++
	return d.inner.Step(grads)
}

// Solver returns the wrapped solver.
func (d *DataParallel) Solver() gorgonia.Solver { return d.inner }

// Communicator returns the job's communicator.
func (d *DataParallel) Communicator() Communicator { return d.c }

// CommTime returns the wall time spent in collectives so far (gradient all-reduce, buffer and
// parameter broadcasts) and the number of Steps.
func (d *DataParallel) CommTime() (time.Duration, int) { return d.comm, d.steps }

type syncer interface {
	check(c Communicator, grads []gorgonia.ValueGrad) error
	allReduce(c Communicator, grads []gorgonia.ValueGrad, bucketBytes int) error
	broadcast(c Communicator, s *graph.Store, params bool) error
}

// dp is the dtype-specific part of DataParallel: the bucket and the buffers' flat copy.
type dp[T num.Float] struct {
	bucket []T
	flat   []T
	gs     [][]T // this step's gradients
	bufs   [][]T // the store's buffers, cached at the first per-step broadcast
	cached bool
}

// gradData returns the data of gradient i without boxing it in an interface (Dense.Data would
// allocate on every call).
func gradData[T num.Float](vg gorgonia.ValueGrad, i int) ([]T, error) {
	g, err := vg.Grad()
	if err != nil {
		return nil, errors.Wrapf(err, "distributed: gradient %d", i)
	}
	var z T
	if d, ok := g.(*tensor.Dense); ok && !d.RequiresIterator() {
		switch {
		case unsafe.Sizeof(z) == 4 && d.Dtype() == tensor.Float32:
			s := d.Float32s()
			return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(s))), len(s)), nil
		case unsafe.Sizeof(z) == 8 && d.Dtype() == tensor.Float64:
			s := d.Float64s()
			return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(s))), len(s)), nil
		}
	}
	data, err := num.Data[T](g)
	if err != nil {
		return nil, errors.Wrapf(err, "distributed: gradient %d", i)
	}
	return data, nil
}

// check verifies that every rank has the same number and total size of gradients, so that a
// mismatch is an error rather than a corrupted all-reduce or a hang.
func (p *dp[T]) check(c Communicator, grads []gorgonia.ValueGrad) error {
	total := 0
	for i, vg := range grads {
		g, err := gradData[T](vg, i)
		if err != nil {
			return err
		}
		total += len(g)
	}
	return agree(c, "gradients", len(grads), total)
}

// agree checks that every rank has n tensors of total elements.
func agree(c Communicator, what string, n, total int) error {
	mine := []float64{float64(n), float64(total)}
	all := make([]float64, 2*c.Size())
	if err := c.AllGather(Buf(mine), Buf(all)); err != nil {
		return err
	}
	for r := 0; r < c.Size(); r++ {
		if all[2*r] != mine[0] || all[2*r+1] != mine[1] {
			return errors.Errorf("distributed: rank %d has %v %s of %v elements, rank %d has %d of %d: every rank must build the same model",
				r, all[2*r], what, all[2*r+1], c.Rank(), n, total)
		}
	}
	return nil
}

// allReduce streams the concatenated gradients through the bucket: fill, all-reduce, scale by
// 1/size, write back.
func (p *dp[T]) allReduce(c Communicator, grads []gorgonia.ValueGrad, bucketBytes int) error {
	var z T
	capElems := max(1, bucketBytes/int(unsafe.Sizeof(z)))
	// The gradient tensors may be new ones every step (Gorgonia's Reset drops output buffers):
	// look them up afresh.
	p.gs = p.gs[:0]
	total := 0
	for i, vg := range grads {
		g, err := gradData[T](vg, i)
		if err != nil {
			return err
		}
		p.gs = append(p.gs, g)
		total += len(g)
	}
	p.bucket = num.Grow(p.bucket, min(capElems, total))
	scale := 1 / T(c.Size())
	// Gradient i, offset off is the next element to pack; wi, woff the next to write back.
	i, off, wi, woff := 0, 0, 0, 0
	for done := 0; done < total; {
		n := min(len(p.bucket), total-done)
		b := p.bucket[:n]
		for k := 0; k < n; {
			m := copy(b[k:], p.gs[i][off:])
			k, off = k+m, off+m
			if off == len(p.gs[i]) {
				i, off = i+1, 0
			}
		}
		if err := c.AllReduceSum(Buf(b)); err != nil {
			return errors.Wrap(err, "distributed: gradient all-reduce")
		}
		for k := range b {
			b[k] *= scale
		}
		for k := 0; k < n; {
			m := copy(p.gs[wi][woff:], b[k:])
			k, woff = k+m, woff+m
			if woff == len(p.gs[wi]) {
				wi, woff = wi+1, 0
			}
		}
		done += n
	}
	return nil
}

// broadcast sends rank 0's buffers (and, when params is set, parameters) to every rank, flattened
// into one message.
func (p *dp[T]) broadcast(c Communicator, s *graph.Store, params bool) error {
	if c.Size() == 1 {
		return nil
	}
	var ts [][]T
	if params || !p.cached {
		var err error
		if ts, err = storeData[T](s, params); err != nil {
			return err
		}
		if !params {
			p.bufs, p.cached = ts, true
		}
	} else {
		ts = p.bufs
	}
	n := 0
	for _, t := range ts {
		n += len(t)
	}
	if params {
		if err := agree(c, "parameters and buffers", len(ts), n); err != nil {
			return err
		}
	}
	if n == 0 {
		return nil
	}
	p.flat = num.Grow(p.flat, n)
	k := 0
	for _, t := range ts {
		k += copy(p.flat[k:], t)
	}
	what := "buffers"
	if params {
		what = "parameters and buffers"
	}
	if err := c.Broadcast(Buf(p.flat), 0); err != nil {
		return errors.Wrapf(err, "distributed: broadcasting rank 0's %s", what)
	}
	k = 0
	for _, t := range ts {
		k += copy(t, p.flat[k:])
	}
	return nil
}

// storeData returns the data of the store's buffers, and of its parameters too when params is
// set, in the store's order.
func storeData[T num.Float](s *graph.Store, params bool) ([][]T, error) {
	var ts [][]T
	for _, name := range s.Names() {
		if s.IsParam(name) && !params {
			continue
		}
		t, _ := s.Get(name)
		d, err := num.Data[T](t)
		if err != nil {
			return nil, errors.Wrapf(err, "distributed: store tensor %q", name)
		}
		ts = append(ts, d)
	}
	return ts, nil
}
