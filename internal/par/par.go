// Package par is Stheno's one worker pool. For splits [0, n) into a number
// of contiguous parts that depends only on n and minWork — never on
// GOMAXPROCS — so a job that keeps one partial result per part gives the
// same bits at any thread count; the parts then run on up to GOMAXPROCS
// goroutines (the caller's and long-lived workers). A call allocates
// nothing after warm-up.
package par

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// MaxParts is the largest number of parts For splits a range into; a job
// keeping per-part results needs this many slots.
const MaxParts = 8

// Job is work over index ranges. Range is called once per part, with part
// in [0, Parts(n, minWork)) and [lo, hi) that part's range; parts may run
// concurrently, so a job writes only its own range and its own part's slot.
type Job interface {
	Range(part, lo, hi int)
}

// Parts returns how many parts For(n, minWork, ...) uses: n/minWork
// clamped to [1, MaxParts]. minWork is the fewest items worth a part of
// their own; values below 1 count as 1.
func Parts(n, minWork int) int {
	if minWork < 1 {
		minWork = 1
	}
	p := n / minWork
	if p < 1 {
		return 1
	}
	return min(p, MaxParts)
}

// Bounds returns the range of part p of n items split into parts parts:
// contiguous, in order, sizes differing by at most one.
func Bounds(n, parts, p int) (lo, hi int) {
	return n * p / parts, n * (p + 1) / parts
}

// call is one For in flight. Parts are claimed through next and counted
// down in wg; refs counts the holders (the caller and each queued helper)
// so the call is recycled by whoever lets go last. The caller never waits
// for a helper that has not started: it runs every part nobody claimed, so
// a For nested inside another For's part cannot deadlock, however busy the
// workers are.
type call struct {
	j        Job
	n, parts int
	next     atomic.Int32
	refs     atomic.Int32
	wg       sync.WaitGroup
}

func (c *call) work() {
	for {
		p := int(c.next.Add(1)) - 1
		if p >= c.parts {
			return
		}
		lo, hi := Bounds(c.n, c.parts, p)
		c.j.Range(p, lo, hi)
		c.wg.Done()
	}
}

func (c *call) release() {
	if c.refs.Add(-1) == 0 {
		c.j = nil
		calls.Put(c)
	}
}

var (
	calls = sync.Pool{New: func() any { return new(call) }}

	mu      sync.Mutex
	started int
	queue   = make(chan *call, 64)
)

func worker() {
	for c := range queue {
		c.work()
		c.release()
	}
}

// ensure starts workers until there are at least n.
func ensure(n int) {
	mu.Lock()
	for ; started < n; started++ {
		go worker()
	}
	mu.Unlock()
}

// For runs j over [0, n) in Parts(n, minWork) parts and returns that
// number. With one part, or GOMAXPROCS 1, every part runs on the caller's
// goroutine in order. For may be called from inside a part of another For.
func For(n, minWork int, j Job) int {
	parts := Parts(n, minWork)
	helpers := min(parts, runtime.GOMAXPROCS(0)) - 1
	if helpers <= 0 {
		for p := 0; p < parts; p++ {
			lo, hi := Bounds(n, parts, p)
			j.Range(p, lo, hi)
		}
		return parts
	}
	ensure(helpers)
	c := calls.Get().(*call)
	c.j, c.n, c.parts = j, n, parts
	c.next.Store(0)
	c.refs.Store(int32(helpers + 1))
	c.wg.Add(parts)
	for i := 0; i < helpers; i++ {
		select {
		case queue <- c:
		default: // queue full: the caller does that share
			c.release()
		}
	}
	c.work()
	c.wg.Wait()
	c.release()
	return parts
}

// Func adapts a function to a Job. Converting a closure to Func and passing
// it to For allocates if the closure captures variables; hot paths keep a
// preallocated struct implementing Job instead.
type Func func(part, lo, hi int)

// Range calls f.
func (f Func) Range(part, lo, hi int) { f(part, lo, hi) }
