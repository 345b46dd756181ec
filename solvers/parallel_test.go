package solvers

import (
	"math/rand"
	"runtime"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestParallelBitIdentical checks that splitting a large parameter across
// goroutines gives exactly the bits of the serial update (run with -race).
func TestParallelBitIdentical(t *testing.T) {
	const n = 5*minChunk + 123
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewSource(3))
	init := make([]float64, n)
	grads := make([][]float64, 3)
	for i := range init {
		init[i] = rng.NormFloat64()
	}
	for k := range grads {
		grads[k] = make([]float64, n)
		for i := range grads[k] {
			grads[k][i] = rng.NormFloat64()
		}
	}
	run := func(procs int, name string, dt tensor.Dtype) []float64 {
		runtime.GOMAXPROCS(procs)
		s := allSolvers(t)[name]()
		p := newTestParam("p", dt, []int{n}, init)
		for _, g := range grads {
			p.setGrad(g)
			if err := s.Step([]gorgonia.ValueGrad{p}); err != nil {
				t.Fatal(err)
			}
		}
		return values(p.val)
	}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for name := range allSolvers(t) {
			serial := run(1, name, dt)
			parallel := run(4, name, dt)
			for i := range serial {
				if serial[i] != parallel[i] {
					t.Fatalf("%s %v: element %d serial %v parallel %v", name, dt, i, serial[i], parallel[i])
				}
			}
			if serial[0] == init[0] {
				t.Fatalf("%s: parameter did not move", name)
			}
		}
	}
}

// TestNoAllocsPerStep checks that after the first step no solver allocates,
// serially and in parallel.
func TestNoAllocsPerStep(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2} {
		runtime.GOMAXPROCS(procs)
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			for name, mk := range allSolvers(t) {
				s := mk()
				big := newTestParam("big", dt, []int{3 * minChunk}, make([]float64, 3*minChunk))
				small := newTestParam("small", dt, []int{7}, make([]float64, 7))
				model := []gorgonia.ValueGrad{big, small}
				if err := s.Step(model); err != nil {
					t.Fatal(err)
				}
				allocs := testing.AllocsPerRun(5, func() {
					if err := s.Step(model); err != nil {
						t.Fatal(err)
					}
				})
				if allocs != 0 {
					t.Errorf("%s %v GOMAXPROCS=%d: %v allocations per step", name, dt, procs, allocs)
				}
			}
		}
	}
}

// TestAdamVectorKernelBitIdentical checks that the vector (AVX2) Adam
// kernel gives the bits of the Go loop, for AdamW and coupled decay, on
// data with zeros, huge and tiny values.
func TestAdamVectorKernelBitIdentical(t *testing.T) {
	if !useAVX2 {
		t.Skip("no vector kernel on this machine")
	}
	rng := rand.New(rand.NewSource(11))
	const n = 1003
	for _, dec := range []bool{false, true} {
		c64 := adamCoef[float64]{gs: -0.7, wd: 0.01, decay: 1, b1: 0.9, omb1: 0.1, b2: 0.999, omb2: 1 - 0.999,
			invBC2Sqrt: 1 / 0.0447, eps: 1e-8, nstep: -0.01 / 0.19}
		if dec {
			c64.wd, c64.decay = 0, 1-0.01*0.1
		}
		c32 := adamCoef[float32]{gs: float32(c64.gs), wd: float32(c64.wd), decay: float32(c64.decay), b1: 0.9, omb1: 0.1,
			b2: 0.999, omb2: float32(c64.omb2), invBC2Sqrt: float32(c64.invBC2Sqrt), eps: 1e-8, nstep: float32(c64.nstep)}
		mk := func() (p, g, m, v []float64) {
			p, g, m, v = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
			for i := range p {
				p[i], g[i], m[i], v[i] = rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()*0.1, rng.ExpFloat64()*0.01
				switch i % 7 {
				case 1:
					g[i] = 0
				case 2:
					g[i] = 1e6
				case 3:
					g[i] = 1e-30
				}
			}
			return
		}
		p, g, m, v := mk()
		p2, m2, v2 := append([]float64(nil), p...), append([]float64(nil), m...), append([]float64(nil), v...)
		k := adamVec64(p, g, m, v, &c64)
		adamStep(p[k:], g[k:], m[k:], v[k:], c64)
		adamStep(p2, g, m2, v2, c64)
		for i := range p {
			if p[i] != p2[i] || m[i] != m2[i] || v[i] != v2[i] {
				t.Fatalf("float64 decoupled=%v element %d: vector (%v %v %v) loop (%v %v %v)", dec, i, p[i], m[i], v[i], p2[i], m2[i], v2[i])
			}
		}
		f32 := func(x []float64) []float32 {
			out := make([]float32, len(x))
			for i := range x {
				out[i] = float32(x[i])
			}
			return out
		}
		p, g, m, v = mk()
		q, h, a, b := f32(p), f32(g), f32(m), f32(v)
		q2, a2, b2 := append([]float32(nil), q...), append([]float32(nil), a...), append([]float32(nil), b...)
		k = adamVec32(q, h, a, b, &c32)
		adamStep(q[k:], h[k:], a[k:], b[k:], c32)
		adamStep(q2, h, a2, b2, c32)
		for i := range q {
			if q[i] != q2[i] || a[i] != a2[i] || b[i] != b2[i] {
				t.Fatalf("float32 decoupled=%v element %d: vector (%v %v %v) loop (%v %v %v)", dec, i, q[i], a[i], b[i], q2[i], a2[i], b2[i])
			}
		}
	}
}

// TestSGDVectorKernelBitIdentical checks the vector SGD momentum kernel
// against the Go loop.
func TestSGDVectorKernelBitIdentical(t *testing.T) {
	if !useAVX2 {
		t.Skip("no vector kernel on this machine")
	}
	rng := rand.New(rand.NewSource(12))
	const n = 1005
	c64 := sgdCoef[float64]{gs: -0.8, wd: 0.01, mom: 0.9, damp1: 0.7, nlr: -0.05}
	c32 := sgdCoef[float32]{gs: -0.8, wd: 0.01, mom: 0.9, damp1: 0.7, nlr: -0.05}
	p, g, b := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range p {
		p[i], g[i], b[i] = rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()
		if i%5 == 1 {
			g[i] = 1e6
		}
	}
	q, h, a := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range p {
		q[i], h[i], a[i] = float32(p[i]), float32(g[i]), float32(b[i])
	}
	p2, b2 := append([]float64(nil), p...), append([]float64(nil), b...)
	k := sgdVec64(p, g, b, &c64)
	if k == 0 {
		t.Fatal("vector kernel not used")
	}
	sgdStep(p[k:], g[k:], b[k:], c64)
	sgdStep(p2, g, b2, c64)
	q2, a2 := append([]float32(nil), q...), append([]float32(nil), a...)
	k = sgdVec32(q, h, a, &c32)
	sgdStep(q[k:], h[k:], a[k:], c32)
	sgdStep(q2, h, a2, c32)
	for i := range p {
		if p[i] != p2[i] || b[i] != b2[i] || q[i] != q2[i] || a[i] != a2[i] {
			t.Fatalf("element %d: vector (%v %v %v %v) loop (%v %v %v %v)", i, p[i], b[i], q[i], a[i], p2[i], b2[i], q2[i], a2[i])
		}
	}
}

// TestAMSGradVectorKernelBitIdentical checks the vector AMSGrad kernel
// against the Go loop, with the running maximum both above and below v.
func TestAMSGradVectorKernelBitIdentical(t *testing.T) {
	if !useAVX2 {
		t.Skip("no vector kernel on this machine")
	}
	rng := rand.New(rand.NewSource(13))
	const n = 1001
	c64 := adamCoef[float64]{gs: 1, wd: 0.01, decay: 1, b1: 0.9, omb1: 0.1, b2: 0.999, omb2: 1 - 0.999,
		invBC2Sqrt: 3.1, eps: 1e-8, nstep: -0.02}
	c32 := adamCoef[float32]{gs: 1, wd: 0.01, decay: 1, b1: 0.9, omb1: 0.1, b2: 0.999, omb2: float32(1 - 0.999),
		invBC2Sqrt: 3.1, eps: 1e-8, nstep: -0.02}
	p, g, m, v, x := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range p {
		p[i], g[i], m[i], v[i], x[i] = rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64(), rng.ExpFloat64(), rng.ExpFloat64()
		if i%3 == 0 {
			g[i] = 1e6
		}
	}
	f := func(s []float64) []float32 {
		out := make([]float32, len(s))
		for i := range s {
			out[i] = float32(s[i])
		}
		return out
	}
	q, h, a, b, y := f(p), f(g), f(m), f(v), f(x)
	cp := func(s []float64) []float64 { return append([]float64(nil), s...) }
	cp32 := func(s []float32) []float32 { return append([]float32(nil), s...) }
	p2, m2, v2, x2 := cp(p), cp(m), cp(v), cp(x)
	q2, a2, b2, y2 := cp32(q), cp32(a), cp32(b), cp32(y)
	k := amsgradVec64(p, g, m, v, x, &c64)
	amsgradStep(p[k:], g[k:], m[k:], v[k:], x[k:], c64)
	amsgradStep(p2, g, m2, v2, x2, c64)
	k = amsgradVec32(q, h, a, b, y, &c32)
	amsgradStep(q[k:], h[k:], a[k:], b[k:], y[k:], c32)
	amsgradStep(q2, h, a2, b2, y2, c32)
	for i := range p {
		if p[i] != p2[i] || x[i] != x2[i] || q[i] != q2[i] || y[i] != y2[i] {
			t.Fatalf("element %d: vector (%v %v %v %v) loop (%v %v %v %v)", i, p[i], x[i], q[i], y[i], p2[i], x2[i], q2[i], y2[i])
		}
	}
}

// TestRMSPropAdagradVectorKernelsBitIdentical checks the vector RMSProp
// (with and without momentum) and Adagrad kernels against the Go loops.
func TestRMSPropAdagradVectorKernelsBitIdentical(t *testing.T) {
	if !useAVX2 {
		t.Skip("no vector kernel on this machine")
	}
	rng := rand.New(rand.NewSource(14))
	const n = 1007
	mk := func() (p, g, s, b []float64) {
		p, g, s, b = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range p {
			p[i], g[i], s[i], b[i] = rng.NormFloat64(), rng.NormFloat64(), rng.ExpFloat64(), rng.NormFloat64()
			if i%4 == 0 {
				g[i] = 1e6
			} else if i%4 == 1 {
				g[i] = 0
			}
		}
		return
	}
	f := func(s []float64) []float32 {
		out := make([]float32, len(s))
		for i := range s {
			out[i] = float32(s[i])
		}
		return out
	}
	same64 := func(what string, a, b []float64) {
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%s float64 element %d: vector %v loop %v", what, i, a[i], b[i])
			}
		}
	}
	same32 := func(what string, a, b []float32) {
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%s float32 element %d: vector %v loop %v", what, i, a[i], b[i])
			}
		}
	}
	cp := func(s []float64) []float64 { return append([]float64(nil), s...) }
	cp32 := func(s []float32) []float32 { return append([]float32(nil), s...) }
	for _, mom := range []bool{false, true} {
		c64 := rmspropCoef[float64]{gs: -1, wd: 0.01, alpha: 0.9, oma: 0.1, eps: 1e-8, nlr: -0.01}
		c32 := rmspropCoef[float32]{gs: -1, wd: 0.01, alpha: 0.9, oma: 0.1, eps: 1e-8, nlr: -0.01}
		if mom {
			c64.mom, c32.mom = 0.9, 0.9
		}
		p, g, s, b := mk()
		if !mom {
			b = nil
		}
		p2, s2, b2 := cp(p), cp(s), cp(b)
		if !mom {
			b2 = nil
		}
		k := rmspropVec64(p, g, s, b, &c64)
		rmspropStep(p[k:], g[k:], s[k:], nil, sub(b, k, n), c64)
		rmspropStep(p2, g, s2, nil, b2, c64)
		same64("rmsprop p", p, p2)
		same64("rmsprop b", b, b2)
		p, g, s, b = mk()
		q, h, u, v := f(p), f(g), f(s), f(b)
		if !mom {
			v = nil
		}
		q2, u2, v2 := cp32(q), cp32(u), cp32(v)
		if !mom {
			v2 = nil
		}
		k = rmspropVec32(q, h, u, v, &c32)
		rmspropStep(q[k:], h[k:], u[k:], nil, sub(v, k, n), c32)
		rmspropStep(q2, h, u2, nil, v2, c32)
		same32("rmsprop p", q, q2)
		same32("rmsprop s", u, u2)
	}
	a64 := adagradCoef[float64]{gs: 0.5, wd: 0.1, eps: 1e-10, nclr: -0.1}
	a32 := adagradCoef[float32]{gs: 0.5, wd: 0.1, eps: 1e-10, nclr: -0.1}
	p, g, s, _ := mk()
	p2, s2 := cp(p), cp(s)
	k := adagradVec64(p, g, s, &a64)
	adagradStep(p[k:], g[k:], s[k:], a64)
	adagradStep(p2, g, s2, a64)
	same64("adagrad p", p, p2)
	same64("adagrad s", s, s2)
	q, h, u := f(p), f(g), f(s)
	q2, u2 := cp32(q), cp32(u)
	k = adagradVec32(q, h, u, &a32)
	adagradStep(q[k:], h[k:], u[k:], a32)
	adagradStep(q2, h, u2, a32)
	same32("adagrad p", q, q2)
	same32("adagrad s", u, u2)
}
