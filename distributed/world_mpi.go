//go:build mpi

package distributed

/*
#cgo pkg-config: ompi-c
#include <mpi.h>

static MPI_Comm world(void) { return MPI_COMM_WORLD; }
static MPI_Datatype f32(void) { return MPI_FLOAT; }
static MPI_Datatype f64(void) { return MPI_DOUBLE; }
static MPI_Op sum(void) { return MPI_SUM; }
static void *inPlace(void) { return MPI_IN_PLACE; }
static int errorsReturn(void) { return MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN); }
*/
import "C"

import (
	"fmt"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/pkg/errors"
)

// MPI reports whether this build has the MPI backend (the mpi build tag).
const MPI = true

var (
	worldMu   sync.Mutex
	worldComm *mpiComm
	finalized bool
)

// World returns the communicator of the job this process belongs to: MPI_COMM_WORLD, initialised
// on the first call (MPI_Init_thread; MPI errors are returned, not fatal) and shared by later
// calls, whose options are ignored. A process not started by mpirun is a world of one rank.
func World(opts ...Option) (Communicator, error) {
	worldMu.Lock()
	defer worldMu.Unlock()
	if worldComm != nil {
		return worldComm, nil
	}
	if finalized {
		return nil, errors.New("distributed: World after Close: MPI cannot be restarted")
	}
	o := options{timeout: DefaultTimeout}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if s := os.Getenv("STHENO_MPI_TIMEOUT"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return nil, errors.Errorf("distributed: STHENO_MPI_TIMEOUT=%q: want a positive Go duration such as 90s", s)
		}
		o.timeout = d
	}
	var provided C.int
	if rc := C.MPI_Init_thread(nil, nil, C.MPI_THREAD_MULTIPLE, &provided); rc != C.MPI_SUCCESS {
		return nil, errors.Errorf("distributed: MPI_Init_thread failed with code %d", int(rc))
	}
	c := &mpiComm{timeout: o.timeout, multiple: provided == C.MPI_THREAD_MULTIPLE, done: make(chan struct{})}
	if err := c.check("MPI_Comm_set_errhandler", C.errorsReturn()); err != nil {
		return nil, err
	}
	var r, n C.int
	if err := c.check("MPI_Comm_rank", C.MPI_Comm_rank(C.world(), &r)); err != nil {
		return nil, err
	}
	if err := c.check("MPI_Comm_size", C.MPI_Comm_size(C.world(), &n)); err != nil {
		return nil, err
	}
	c.rank, c.size = int(r), int(n)
	go c.watch()
	worldComm = c
	return c, nil
}

// mpiComm is MPI_COMM_WORLD. Collectives are serialised by mu (MPI orders them per communicator)
// and watched: op and since record the collective in flight.
type mpiComm struct {
	rank, size int
	timeout    time.Duration
	multiple   bool // MPI_THREAD_MULTIPLE: the watchdog may call MPI_Abort from its own thread

	mu     sync.Mutex
	closed bool
	op     atomic.Pointer[string]
	since  atomic.Int64 // UnixNano at the start of the collective in flight, 0 when idle
	done   chan struct{}
}

var opNames = struct{ allReduce, bcast, allGather, barrier string }{"MPI_Allreduce", "MPI_Bcast", "MPI_Allgather", "MPI_Barrier"}

func (c *mpiComm) Rank() int { return c.rank }
func (c *mpiComm) Size() int { return c.size }

// watch aborts the job when a collective has waited longer than the timeout.
func (c *mpiComm) watch() {
	tick := min(c.timeout/10, time.Second)
	for {
		select {
		case <-c.done:
			return
		case <-time.After(tick):
		}
		start := c.since.Load()
		if start == 0 {
			continue
		}
		if waited := time.Since(time.Unix(0, start)); waited > c.timeout {
			fmt.Fprintf(os.Stderr, "distributed: rank %d of %d: %s has waited %v for the other ranks (timeout %v): "+
				"a rank has died, hung or cannot be reached; aborting the job\n", c.rank, c.size, *c.op.Load(), waited.Round(time.Millisecond), c.timeout)
			if c.multiple {
				C.MPI_Abort(C.world(), 3)
			}
			os.Exit(3) // without MPI_Finalize: mpirun then ends the other ranks
		}
	}
}

// begin takes the communicator for one collective and starts the watchdog's clock.
func (c *mpiComm) begin(op *string) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return errors.Errorf("distributed: %s on a closed Communicator", *op)
	}
	c.op.Store(op)
	c.since.Store(time.Now().UnixNano())
	return nil
}

func (c *mpiComm) end() {
	c.since.Store(0)
	c.mu.Unlock()
}

// check turns an MPI return code into an error naming the call, the rank and MPI's message.
func (c *mpiComm) check(call string, rc C.int) error {
	if rc == C.MPI_SUCCESS {
		return nil
	}
	var msg [C.MPI_MAX_ERROR_STRING]C.char
	var n C.int
	C.MPI_Error_string(rc, &msg[0], &n)
	return errors.Errorf("distributed: rank %d of %d: %s failed: %s", c.rank, c.size, call, C.GoStringN(&msg[0], n))
}

// raw returns buf's data pointer, element count and MPI datatype.
func raw(buf Buffer) (unsafe.Pointer, C.int, C.MPI_Datatype, error) {
	n := buf.Len()
	if n > math.MaxInt32 {
		return nil, 0, nil, errors.Errorf("distributed: a buffer of %d elements exceeds MPI's int count", n)
	}
	if buf.Is32() {
		return unsafe.Pointer(unsafe.SliceData(buf.f32)), C.int(n), C.f32(), nil
	}
	return unsafe.Pointer(unsafe.SliceData(buf.f64)), C.int(n), C.f64(), nil
}

func (c *mpiComm) AllReduceSum(buf Buffer) error {
	p, n, dt, err := raw(buf)
	if err != nil {
		return err
	}
	if err := c.begin(&opNames.allReduce); err != nil {
		return err
	}
	defer c.end()
	return c.check("MPI_Allreduce", C.MPI_Allreduce(C.inPlace(), p, n, dt, C.sum(), C.world()))
}

func (c *mpiComm) Broadcast(buf Buffer, root int) error {
	if err := checkRoot(root, c.size); err != nil {
		return err
	}
	p, n, dt, err := raw(buf)
	if err != nil {
		return err
	}
	if err := c.begin(&opNames.bcast); err != nil {
		return err
	}
	defer c.end()
	return c.check("MPI_Bcast", C.MPI_Bcast(p, n, dt, C.int(root), C.world()))
}

func (c *mpiComm) AllGather(send, recv Buffer) error {
	if err := match("AllGather", send, recv, c.size*send.Len()); err != nil {
		return err
	}
	sp, n, dt, err := raw(send)
	if err != nil {
		return err
	}
	rp, _, _, err := raw(recv)
	if err != nil {
		return err
	}
	if err := c.begin(&opNames.allGather); err != nil {
		return err
	}
	defer c.end()
	return c.check("MPI_Allgather", C.MPI_Allgather(sp, n, dt, rp, n, dt, C.world()))
}

func (c *mpiComm) Barrier() error {
	if err := c.begin(&opNames.barrier); err != nil {
		return err
	}
	defer c.end()
	return c.check("MPI_Barrier", C.MPI_Barrier(C.world()))
}

// Close finalises MPI (MPI_Finalize, itself a collective: every rank must call it).
func (c *mpiComm) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	close(c.done)
	worldMu.Lock()
	worldComm, finalized = nil, true
	worldMu.Unlock()
	return c.check("MPI_Finalize", C.MPI_Finalize())
}
