package solvers

import (
	"runtime"
	"sync"
)

// minChunk is the smallest number of elements handed to one goroutine: below
// it the cost of waking a worker exceeds the work.
const minChunk = 1 << 16

// rangeJob is an element-wise update over [lo, hi). Every element is
// independent, so splitting a job changes no result bit.
type rangeJob interface {
	run(lo, hi int)
}

type task struct {
	j      rangeJob
	lo, hi int
	wg     *sync.WaitGroup
}

// workers is a package-wide set of pre-started goroutines that run chunks of
// large parameters. It grows to GOMAXPROCS−1 goroutines on demand and is
// shared by all solvers; sending a task allocates nothing.
var workers struct {
	mu      sync.Mutex
	started int
	ch      chan task
}

func ensureWorkers(n int) {
	workers.mu.Lock()
	defer workers.mu.Unlock()
	if workers.ch == nil {
		workers.ch = make(chan task)
	}
	for ; workers.started < n; workers.started++ {
		go func(ch chan task) {
			for t := range ch {
				t.j.run(t.lo, t.hi)
				t.wg.Done()
			}
		}(workers.ch)
	}
}

// pool runs jobs split across GOMAXPROCS goroutines. Each solver owns one
// (its WaitGroup is reused, so a parallel step allocates nothing).
type pool struct {
	wg sync.WaitGroup
}

// run executes j over [0, n), in parallel when n is large enough.
func (p *pool) run(j rangeJob, n int) {
	w := runtime.GOMAXPROCS(0)
	if m := n / minChunk; w > m {
		w = m
	}
	if w <= 1 {
		j.run(0, n)
		return
	}
	ensureWorkers(w - 1)
	chunk := (n + w - 1) / w
	chunk = (chunk + 63) &^ 63
	for lo := chunk; lo < n; lo += chunk {
		hi := lo + chunk
		if hi > n {
			hi = n
		}
		p.wg.Add(1)
		workers.ch <- task{j, lo, hi, &p.wg}
	}
	j.run(0, min(chunk, n))
	p.wg.Wait()
}
