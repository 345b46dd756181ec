package distributed

import (
	"time"
	"unsafe"

	"github.com/pkg/errors"

	"github.com/stheno-ml/stheno/internal/num"
)

// Communicator connects the ranks of a data-parallel job. Every collective must be called by
// every rank, in the same order, with buffers of the same length and element type; it returns
// after all ranks have joined it. The buffers are the caller's and are not retained.
//
// Implementations are not safe for concurrent collectives from several goroutines of one rank
// (MPI orders collectives per communicator); they serialise them.
type Communicator interface {
	// Rank is this process's index in the job, 0 ≤ Rank < Size.
	Rank() int
	// Size is the number of ranks (the world size).
	Size() int
	// AllReduceSum replaces buf on every rank, in place, by the element-wise sum of the bufs of
	// all ranks. Every rank gets the same bits.
	AllReduceSum(buf Buffer) error
	// Broadcast copies root's buf into buf on every other rank.
	Broadcast(buf Buffer, root int) error
	// AllGather concatenates every rank's send, in rank order, into recv on every rank;
	// recv.Len() must be Size()·send.Len() (for small things: metrics, checksums).
	AllGather(send, recv Buffer) error
	// Barrier returns when every rank has called it.
	Barrier() error
	// Close ends this rank's part in the job (MPI_Finalize); the Communicator is unusable after.
	Close() error
}

// Buffer is a float32 or float64 slice handed to a collective, made by Buf. It is passed by
// value, so a collective costs no allocation. The zero Buffer is an empty float64 slice.
type Buffer struct {
	f32 []float32
	f64 []float64
}

// Buf wraps s for a collective: the one generic entry for both float types.
func Buf[T num.Float](s []T) Buffer {
	switch s := any(s).(type) {
	case []float32:
		return Buffer{f32: s}
	case []float64:
		return Buffer{f64: s}
	}
	// Named types over float32 or float64 have the same memory layout.
	var z T
	if unsafe.Sizeof(z) == 4 {
		return Buffer{f32: unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(s))), len(s))}
	}
	return Buffer{f64: unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(s))), len(s))}
}

// Len returns the number of elements.
func (b Buffer) Len() int { return len(b.f32) + len(b.f64) }

// Is32 reports whether the elements are float32.
func (b Buffer) Is32() bool { return b.f32 != nil }

// Float32s and Float64s return the wrapped slice (nil for the other type).
func (b Buffer) Float32s() []float32 { return b.f32 }

// Float64s returns the wrapped float64 slice (nil for a float32 Buffer).
func (b Buffer) Float64s() []float64 { return b.f64 }

// match reports an error unless a and b have the same element type (and, when n ≥ 0, b has n
// elements).
func match(what string, a, b Buffer, n int) error {
	if a.Is32() != b.Is32() && a.Len() > 0 && b.Len() > 0 {
		return errors.Errorf("distributed: %s: float32 and float64 buffers mixed", what)
	}
	if n >= 0 && b.Len() != n {
		return errors.Errorf("distributed: %s: receive buffer holds %d elements, want %d", what, b.Len(), n)
	}
	return nil
}

// Option configures World.
type Option func(*options) error

type options struct {
	timeout time.Duration
}

// DefaultTimeout is how long a collective may wait for the other ranks before the watchdog
// aborts the job (overridden by WithTimeout, then by the STHENO_MPI_TIMEOUT environment
// variable).
const DefaultTimeout = 10 * time.Minute

// WithTimeout sets the watchdog timeout of the MPI communicator: a collective that has not
// completed after d (another rank died, hangs or cannot be reached) aborts the whole job with an
// error naming the collective and the rank. It must be positive. The single-process
// communicator never waits and ignores it.
func WithTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return errors.Errorf("distributed: WithTimeout(%v): want a positive duration", d)
		}
		o.timeout = d
		return nil
	}
}

// Local is the single-process Communicator: rank 0 of a world of size 1, where every collective
// is the identity. Its zero value is ready to use.
type Local struct{}

var _ Communicator = Local{}

// Rank returns 0.
func (Local) Rank() int { return 0 }

// Size returns 1.
func (Local) Size() int { return 1 }

// AllReduceSum leaves buf as it is (the sum over one rank).
func (Local) AllReduceSum(Buffer) error { return nil }

// Broadcast checks that root is 0 and leaves buf as it is.
func (Local) Broadcast(_ Buffer, root int) error { return checkRoot(root, 1) }

// AllGather copies send into recv, which must have send's length and type.
func (Local) AllGather(send, recv Buffer) error {
	if err := match("AllGather", send, recv, send.Len()); err != nil {
		return err
	}
	copy(recv.f32, send.f32)
	copy(recv.f64, send.f64)
	return nil
}

// Barrier returns at once.
func (Local) Barrier() error { return nil }

// Close does nothing.
func (Local) Close() error { return nil }

func checkRoot(root, size int) error {
	if root < 0 || root >= size {
		return errors.Errorf("distributed: Broadcast from root %d, want 0 ≤ root < %d", root, size)
	}
	return nil
}
