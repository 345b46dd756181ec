package data

import (
	"math/bits"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Layout selects the shape of image batches.
type Layout int

const (
	// Flat batches have shape (N, Rows*Cols), for fully connected models.
	Flat Layout = iota
	// Image batches have shape (N, 1, Rows, Cols) (NCHW with one channel), for convolutions.
	Image
)

// Norm is an affine pixel normalisation: a pixel p in 0..255 becomes (p/255 − Mean) / Std.
type Norm struct{ Mean, Std float64 }

// MNISTNorm is the normalisation of the PyTorch MNIST example: the mean and standard deviation
// of the MNIST training pixels after scaling to [0, 1].
var MNISTNorm = Norm{Mean: 0.1307, Std: 0.3081}

// NoNorm only scales pixels to [0, 1].
var NoNorm = Norm{Mean: 0, Std: 1}

// BatchOption configures a Batcher.
type BatchOption func(*Batcher) error

// WithDtype sets the element type of image batches: tensor.Float32 (default) or tensor.Float64.
func WithDtype(dt tensor.Dtype) BatchOption {
	return func(b *Batcher) error {
		if dt != tensor.Float32 && dt != tensor.Float64 {
			return errors.Errorf("data: batch dtype %v, want float32 or float64", dt)
		}
		b.dt = dt
		return nil
	}
}

// WithLayout sets the batch shape: Flat (default) or Image.
func WithLayout(l Layout) BatchOption {
	return func(b *Batcher) error {
		if l != Flat && l != Image {
			return errors.Errorf("data: unknown layout %d", l)
		}
		b.layout = l
		return nil
	}
}

// WithNorm sets the pixel normalisation (default MNISTNorm). Std must be positive.
func WithNorm(n Norm) BatchOption {
	return func(b *Batcher) error {
		if !(n.Std > 0) {
			return errors.Errorf("data: normalisation std %v, want > 0", n.Std)
		}
		b.norm = n
		return nil
	}
}

// WithShuffle makes every epoch visit the examples in a random order determined only by seed
// and the epoch number (default: dataset order).
func WithShuffle(seed int64) BatchOption {
	return func(b *Batcher) error {
		b.shuffle, b.seed = true, seed
		return nil
	}
}

// WithDropLast drops the final batch of an epoch when it would be smaller than the batch size
// (useful when a program is compiled for one fixed batch shape). By default it is kept.
func WithDropLast() BatchOption {
	return func(b *Batcher) error {
		b.dropLast = true
		return nil
	}
}

// Batcher walks a Dataset in mini-batches. X and Y return tensors backed by buffers the Batcher
// owns and overwrites on every Next: after construction, Next allocates nothing (the smaller
// final batch, if kept, gets its own tensor headers once). Typical use:
//
//	b, _ := data.NewBatcher(train, 64, data.WithShuffle(seed))
//	for epoch := 0; epoch < epochs; epoch++ {
//		b.Epoch(epoch)
//		for b.Next() {
//			x, y := b.X(), b.Y() // (64, 784) float32, (64) int
//		}
//	}
type Batcher struct {
	d        *Dataset
	size     int
	dt       tensor.Dtype
	layout   Layout
	norm     Norm
	shuffle  bool
	seed     int64
	dropLast bool
	rank     int // shard of this Batcher (WithShard); world 0 means unsharded
	world    int
	n        int // examples per epoch of this shard

	perm   []int32 // the global order of the epoch
	order  []int32 // this shard's part of perm (perm itself when unsharded)
	epoch  int
	pos    int // examples consumed this epoch
	cur    int // size of the current batch (0 before the first Next)
	lut32  [256]float32
	lut64  [256]float64
	x32    []float32
	x64    []float64
	y      []int
	full   [2]*tensor.Dense // x, y at full batch size
	last   [2]*tensor.Dense // x, y for the smaller final batch
	nBatch int
}

// NewBatcher returns a Batcher over d with the given batch size, positioned at the start of
// epoch 0.
func NewBatcher(d *Dataset, size int, opts ...BatchOption) (*Batcher, error) {
	if d == nil || d.N == 0 {
		return nil, errors.New("data: NewBatcher: empty dataset")
	}
	if err := d.check(); err != nil {
		return nil, errors.Wrap(err, "data: NewBatcher")
	}
	if size < 1 {
		return nil, errors.Errorf("data: NewBatcher: batch size %d, want ≥ 1", size)
	}
	b := &Batcher{d: d, dt: tensor.Float32, layout: Flat, norm: MNISTNorm}
	for _, o := range opts {
		if err := o(b); err != nil {
			return nil, err
		}
	}
	if b.n = shardLen(d.N, b.rank, b.world, b.dropLast); b.n == 0 {
		return nil, errors.Errorf("data: NewBatcher: shard %d of %d of the %d examples is empty", b.rank, b.world, d.N)
	}
	if b.dropLast && size > b.n {
		return nil, errors.Errorf("data: NewBatcher: batch size %d with drop-last exceeds the %d examples", size, b.n)
	}
	b.size = min(size, b.n)
	for p := range 256 {
		v := (float64(p)/255 - b.norm.Mean) / b.norm.Std
		b.lut64[p], b.lut32[p] = v, float32(v)
	}
	f := d.Features()
	if b.dt == tensor.Float32 {
		b.x32 = make([]float32, b.size*f)
	} else {
		b.x64 = make([]float64, b.size*f)
	}
	b.y = make([]int, b.size)
	b.full = b.tensors(b.size)
	b.nBatch = b.n / b.size
	if !b.dropLast && b.n%b.size != 0 {
		b.nBatch++
	}
	b.perm = make([]int32, d.N)
	b.order = b.perm
	if b.world > 1 {
		b.order = make([]int32, b.n)
	}
	b.Epoch(0)
	return b, nil
}

func (b *Batcher) tensors(n int) [2]*tensor.Dense {
	f := b.d.Features()
	shape := tensor.Shape{n, f}
	if b.layout == Image {
		shape = tensor.Shape{n, 1, b.d.Rows, b.d.Cols}
	}
	var x *tensor.Dense
	if b.dt == tensor.Float32 {
		x = tensor.New(tensor.WithBacking(b.x32[:n*f]), tensor.WithShape(shape...))
	} else {
		x = tensor.New(tensor.WithBacking(b.x64[:n*f]), tensor.WithShape(shape...))
	}
	y := tensor.New(tensor.WithBacking(b.y[:n]), tensor.WithShape(n))
	return [2]*tensor.Dense{x, y}
}

// Size returns the (full) batch size.
func (b *Batcher) Size() int { return b.size }

// Batches returns the number of batches per epoch.
func (b *Batcher) Batches() int { return b.nBatch }

// Pos returns the number of batches already delivered in the current epoch.
func (b *Batcher) Pos() int { return (b.pos + b.size - 1) / b.size }

// CurrentEpoch returns the epoch set by the last call to Epoch or Seek.
func (b *Batcher) CurrentEpoch() int { return b.epoch }

// Epoch rewinds to the start of the given epoch and, when shuffling, computes its order, which
// depends only on the seed and epoch.
func (b *Batcher) Epoch(epoch int) {
	b.epoch, b.pos, b.cur = epoch, 0, 0
	for i := range b.perm {
		b.perm[i] = int32(i)
	}
	if !b.shuffle {
		b.shard()
		return
	}
	r := splitmix{state: uint64(b.seed)*0x9e3779b97f4a7c15 ^ uint64(epoch)*0xd1b54a32d192ed03}
	r.next()
	for i := len(b.perm) - 1; i > 0; i-- {
		j := r.intn(uint64(i + 1))
		b.perm[i], b.perm[j] = b.perm[j], b.perm[i]
	}
	b.shard()
}

// Seek positions the Batcher after the first batch batches of epoch, so the next call to Next
// delivers batch number batch (counting from 0): used to resume an interrupted epoch.
func (b *Batcher) Seek(epoch, batch int) error {
	if batch < 0 || batch > b.nBatch {
		return errors.Errorf("data: Seek: batch %d of an epoch of %d batches", batch, b.nBatch)
	}
	b.Epoch(epoch)
	b.pos = min(batch*b.size, b.n)
	return nil
}

// Next fills the next batch and reports whether there was one. X and Y then return it.
func (b *Batcher) Next() bool {
	n := min(b.size, b.n-b.pos)
	if n <= 0 || (b.dropLast && n < b.size) {
		b.cur = 0
		return false
	}
	f := b.d.Features()
	idx := b.order[b.pos : b.pos+n]
	for i, k := range idx {
		src := b.d.Pixels[int(k)*f : int(k)*f+f]
		if b.x32 != nil {
			dst := b.x32[i*f : i*f+f]
			for j, p := range src {
				dst[j] = b.lut32[p]
			}
		} else {
			dst := b.x64[i*f : i*f+f]
			for j, p := range src {
				dst[j] = b.lut64[p]
			}
		}
		b.y[i] = int(b.d.Labels[k])
	}
	if n < b.size && b.last[0] == nil {
		b.last = b.tensors(n)
	}
	b.pos += n
	b.cur = n
	return true
}

// X returns the current image batch ((N, Rows*Cols) or (N, 1, Rows, Cols)). It is overwritten by
// the next call to Next.
func (b *Batcher) X() tensor.Tensor {
	if b.cur > 0 && b.cur < b.size {
		return b.last[0]
	}
	return b.full[0]
}

// Y returns the current labels as an int tensor of shape (N). It is overwritten by the next
// call to Next.
func (b *Batcher) Y() tensor.Tensor {
	if b.cur > 0 && b.cur < b.size {
		return b.last[1]
	}
	return b.full[1]
}

// Labels returns the current labels as a slice (the backing of Y).
func (b *Batcher) Labels() []int { return b.y[:b.cur] }

// splitmix is the SplitMix64 generator: tiny, fast and fixed forever, so shuffles are
// reproducible across Go versions.
type splitmix struct{ state uint64 }

func (s *splitmix) next() uint64 {
	s.state += 0x9e3779b97f4a7c15
	z := s.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a uniform integer in [0, n) by Lemire's multiply-and-reject method.
func (s *splitmix) intn(n uint64) int {
	for {
		hi, lo := bits.Mul64(s.next(), n)
		if lo >= n || lo >= -n%n {
			return int(hi)
		}
	}
}
