package ops

import (
	"runtime"
	"sync"
)

// Large kernels run on two goroutines: rows [0, n/2) on the caller's and
// [n/2, n) on one long-lived helper goroutine (the machines this targets
// have 2 cores). Jobs are preallocated per op, so this allocates nothing
// after the first call. Results are deterministic: above the size
// threshold the two halves and their partial sums are always the same,
// whether they run in parallel or (GOMAXPROCS=1) one after the other.

// parMinWork is the number of elements below which a kernel runs as one
// part: below it the hand-off costs more than it saves.
const parMinWork = 1 << 15

// ranger runs part p (0 or 1) of a kernel over rows [lo, hi).
type ranger interface{ runRange(p, lo, hi int) }

type parJob struct {
	r      ranger
	lo, hi int
	done   chan struct{}
}

var (
	parOnce sync.Once
	parJobs chan *parJob
)

func parWorker() {
	for j := range parJobs {
		j.r.runRange(1, j.lo, j.hi)
		j.done <- struct{}{}
	}
}

// split runs r over rows [0, n), where work is the number of elements
// touched, and returns the number of parts (1 or 2) whose results r holds.
func split(r ranger, n, work int, job *parJob) int {
	if work < parMinWork || n < 2 {
		r.runRange(0, 0, n)
		return 1
	}
	mid := n / 2
	if runtime.GOMAXPROCS(0) < 2 {
		r.runRange(0, 0, mid)
		r.runRange(1, mid, n)
		return 2
	}
	parOnce.Do(func() {
		parJobs = make(chan *parJob, 16)
		go parWorker()
	})
	if job.done == nil {
		job.done = make(chan struct{}, 1)
	}
	job.r, job.lo, job.hi = r, mid, n
	parJobs <- job
	r.runRange(0, 0, mid)
	<-job.done
	job.r = nil
	return 2
}

// ceFwdTask runs ceIndexFwd in parts.
type ceFwdTask[T float] struct {
	x, e, perPos  []T
	tgt           []int
	a             *ceArgs
	invS          []float64
	nll, sm, wsum [2]float64
	bad           [2]int
	job           parJob
}

func (t *ceFwdTask[T]) runRange(p, lo, hi int) {
	t.nll[p], t.sm[p], t.wsum[p], t.bad[p] = ceIndexFwd(t.x, t.tgt, t.a, t.e, t.invS, t.perPos, lo, hi)
}

// run returns the sums over all positions and the first bad position.
func (t *ceFwdTask[T]) run() (nll, sm, wsum float64, bad int) {
	parts := split(t, len(t.tgt), len(t.x), &t.job)
	bad = -1
	for p := 0; p < parts; p++ {
		if t.bad[p] >= 0 {
			return 0, 0, 0, t.bad[p]
		}
		nll += t.nll[p]
		sm += t.sm[p]
		wsum += t.wsum[p]
	}
	return nll, sm, wsum, bad
}

// ceBwdTask runs ceIndexBwd in parts.
type ceBwdTask[T float] struct {
	dx, e, gPos []T
	tgt         []int
	a           *ceArgs
	invS        []float64
	sN, sS      float64
	job         parJob
}

func (t *ceBwdTask[T]) runRange(_, lo, hi int) {
	ceIndexBwd(t.dx, t.e, t.invS, t.tgt, t.a, t.gPos, t.sN, t.sS, lo, hi)
}

func (t *ceBwdTask[T]) run() { split(t, len(t.tgt), len(t.dx), &t.job) }

// softmaxTask runs softmaxFwd or softmaxBwd in parts.
type softmaxTask[T float] struct {
	bwd       bool
	dst, x, g []T
	c, inner  int
	log       bool
	job       parJob
}

func (t *softmaxTask[T]) runRange(_, lo, hi int) {
	if t.bwd {
		softmaxBwd(t.dst, t.x, t.g, t.c, t.inner, t.log, lo, hi)
		return
	}
	softmaxFwd(t.dst, t.x, t.c, t.inner, t.log, lo, hi)
}

func (t *softmaxTask[T]) run() { split(t, len(t.x)/t.c, len(t.x), &t.job) }

// binTask runs the BCE and BCEWithLogits kernels in parts.
type binTask[T float] struct {
	bwd, logits            bool
	x, y, dx, perPos, gPos []T
	w, pw                  []float64
	last                   int
	s                      float64
	sum                    [2]float64
	badX, badY             [2]int
	job                    parJob
}

func (t *binTask[T]) runRange(p, lo, hi int) {
	switch {
	case t.logits && t.bwd:
		bceLogitsBwd(t.dx, t.x, t.y, t.w, t.pw, t.last, t.gPos, t.s, lo, hi)
	case t.logits:
		t.sum[p], t.badX[p], t.badY[p] = bceLogitsFwd(t.x, t.y, t.w, t.pw, t.last, t.perPos, lo, hi), -1, -1
	case t.bwd:
		bceBwd(t.dx, t.x, t.y, t.w, t.gPos, t.s, lo, hi)
	default:
		t.sum[p], t.badX[p], t.badY[p] = bceFwd(t.x, t.y, t.w, t.perPos, lo, hi)
	}
}

// run returns the sum of the forward and the first bad x or y position.
func (t *binTask[T]) run() (sum float64, badX, badY int) {
	parts := split(t, len(t.x), len(t.x), &t.job)
	for p := 0; p < parts; p++ {
		if t.badX[p] >= 0 || t.badY[p] >= 0 {
			return 0, t.badX[p], t.badY[p]
		}
		sum += t.sum[p]
	}
	return sum, -1, -1
}
