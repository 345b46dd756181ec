package distributed

import (
	"sync"

	"github.com/pkg/errors"
)

// NewGroup returns n Communicators that connect n goroutines of this process as the ranks of one
// job, for tests and for trying data-parallel code without MPI. Rank r's Communicator must be
// used by one goroutine only; every collective blocks until all n ranks have called it. Sums are
// taken in rank order, so every rank gets the same bits.
func NewGroup(n int) ([]Communicator, error) {
	if n < 1 {
		return nil, errors.Errorf("distributed: NewGroup(%d): want at least one rank", n)
	}
	g := &group{n: n, bufs: make([]Buffer, n), roots: make([]int, n)}
	g.cond = sync.NewCond(&g.mu)
	cs := make([]Communicator, n)
	for r := range cs {
		cs[r] = &member{g: g, rank: r}
	}
	return cs, nil
}

type group struct {
	n     int
	mu    sync.Mutex
	cond  *sync.Cond
	count int // ranks arrived at the current barrier
	gen   int // barrier generation
	bufs  []Buffer
	roots []int
}

// barrier blocks until all n ranks have called it.
func (g *group) barrier() {
	g.mu.Lock()
	gen := g.gen
	g.count++
	if g.count == g.n {
		g.count = 0
		g.gen++
		g.cond.Broadcast()
	} else {
		for gen == g.gen {
			g.cond.Wait()
		}
	}
	g.mu.Unlock()
}

type member struct {
	g       *group
	rank    int
	closed  bool
	scratch Buffer
}

func (m *member) Rank() int { return m.rank }
func (m *member) Size() int { return m.g.n }
func (m *member) Barrier() error {
	if m.closed {
		return errors.New("distributed: Barrier on a closed Communicator")
	}
	m.g.barrier()
	return nil
}
func (m *member) Close() error { m.closed = true; return nil }

// exchange publishes buf, waits for every rank, runs f (which may read every rank's buffer) and
// waits again so that no rank changes its buffer while another still reads it.
func (m *member) exchange(what string, buf Buffer, root int, f func(bufs []Buffer) error) error {
	if m.closed {
		return errors.Errorf("distributed: %s on a closed Communicator", what)
	}
	g := m.g
	g.bufs[m.rank], g.roots[m.rank] = buf, root
	g.barrier()
	var err error
	for r, b := range g.bufs {
		if e := match(what, buf, b, buf.Len()); e != nil && err == nil {
			err = errors.Wrapf(e, "rank %d", r)
		}
		if g.roots[r] != root && err == nil {
			err = errors.Errorf("distributed: %s: rank %d uses root %d, rank %d root %d", what, m.rank, root, r, g.roots[r])
		}
	}
	if err == nil {
		err = f(g.bufs)
	}
	g.barrier()
	return err
}

func (m *member) AllReduceSum(buf Buffer) error {
	n := buf.Len()
	if buf.Is32() {
		m.scratch.f32 = grow(m.scratch.f32, n)
	} else {
		m.scratch.f64 = grow(m.scratch.f64, n)
	}
	err := m.exchange("AllReduceSum", buf, 0, func(bufs []Buffer) error {
		if buf.Is32() {
			sumInto(m.scratch.f32, bufs, Buffer.Float32s)
		} else {
			sumInto(m.scratch.f64, bufs, Buffer.Float64s)
		}
		return nil
	})
	if err == nil { // every rank has finished reading: overwrite
		copy(buf.f32, m.scratch.f32)
		copy(buf.f64, m.scratch.f64)
	}
	return err
}

func sumInto[T float32 | float64](dst []T, bufs []Buffer, get func(Buffer) []T) {
	copy(dst, get(bufs[0]))
	for _, b := range bufs[1:] {
		for i, v := range get(b) {
			dst[i] += v
		}
	}
}

func grow[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n)
	}
	return b[:n]
}

func (m *member) Broadcast(buf Buffer, root int) error {
	if err := checkRoot(root, m.g.n); err != nil {
		return err
	}
	return m.exchange("Broadcast", buf, root, func(bufs []Buffer) error {
		if m.rank != root {
			copy(buf.f32, bufs[root].f32)
			copy(buf.f64, bufs[root].f64)
		}
		return nil
	})
}

func (m *member) AllGather(send, recv Buffer) error {
	k := send.Len()
	if err := match("AllGather", send, recv, m.g.n*k); err != nil {
		return err
	}
	return m.exchange("AllGather", send, 0, func(bufs []Buffer) error {
		for r, b := range bufs {
			if recv.Is32() {
				copy(recv.f32[r*k:], b.f32)
			} else {
				copy(recv.f64[r*k:], b.f64)
			}
		}
		return nil
	})
}
