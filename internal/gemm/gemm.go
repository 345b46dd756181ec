// Package gemm is Stheno's matrix product: C = alpha·op(A)·op(B) + beta·C for
// row-major float32 and float64 matrices, op(X) being X or Xᵀ, with BLAS
// semantics (beta == 0 means C is written without being read).
//
// It follows the BLIS/GotoBLAS structure: the k dimension is cut into blocks
// of KC, each k-block of op(B) is packed into panels NR columns wide (one
// panel, KC×NR, stays in L1 while it is used), op(A) into blocks of MC rows
// (an MC×KC block stays in L2) cut into micro-panels MR rows high, and a
// register-blocked micro-kernel multiplies one micro-panel of each into an
// MR×NR tile of C. The micro-kernel is chosen at run time: AVX-512 (14×32
// float32, 14×16 float64, with 14×16 / 14×8 kernels for the last narrow
// panel), AVX2+FMA (6×16 float32, 6×8 float64) or portable Go (4×8); the
// `purego` build tag keeps only the Go one. Edges (M or N not a multiple of
// the tile) are computed into a tile buffer and merged, so every shape runs
// on the fast kernel, including N below the register width. Transposed
// operands cost nothing extra: packing reads them (with AVX-512 gathers
// where it transposes), and when a block of A serves only a few panels of B
// the kernels read A in place instead of packing it.
//
// Order of operations (what a bit-identity test may rely on): for every
// element, C is first scaled once, c ← alpha·Σ_{p<KC}… + beta·c, then each
// further k-block adds alpha·(its partial sum); within a k-block the partial
// sum is accumulated in order of p with one fused multiply-add per step.
// (Products of at most 4 rows with B transposed are dot products instead:
// 16 (float64: 8) lane partial sums, each in order of p, summed from lane
// 0 up, then c ← alpha·sum + beta·c.) This order depends on the kernel and
// the shape but never on the number of threads: large products are split
// over cores (through internal/par) by rows or by columns of C only, never
// over k.
//
// Pack buffers are pooled: a call allocates nothing after warm-up.
package gemm

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/stheno-ml/stheno/internal/num"
	"github.com/stheno-ml/stheno/internal/par"
)

// Block sizes shared by all kernels. KC×NR×size is 32 KiB for the AVX-512
// kernels of both types (the L1 is 48 KiB); MC×KC×size is ~350 KiB (L2 is
// 1 MiB); NC bounds the packed B block.
const (
	kcBlock = 256
	mcBytes = 352 << 10
	ncBlock = 4096
	// minPartFlops is the least work (2·m·n·k) worth a core of its own.
	minPartFlops = 4 << 20
	// smallM is the most rows of C computed by dot products when B is
	// transposed (and the kernel set has dot4): packing B would cost more.
	smallM = 4
	// directPanels is the most panels of B for which A is read in place
	// rather than packed: packing pays off only when reused.
	directPanels = 16
)

// kernels is one micro-kernel set for one element type.
type kernels[T num.Float] struct {
	name         string
	mr, nr       int // register tile of full
	nrNarrow     int // tile width of narrow, used for a last panel of at most nrNarrow columns
	full, narrow func(k int, a *T, lda int, b, c *T, ldc int, alpha, beta T)
	// fullRow and narrowRow, if set, read a row-major A in place (A[i,p] = a[i·lda+p]).
	fullRow, narrowRow func(k int, a *T, lda int, b, c *T, ldc int, alpha, beta T)
	// gather, if set, is a vector gather of up to lanes elements used to pack
	// the transposing cases (see gather32 in kernels_amd64.go).
	gather func(dst, src *T, idx *int32, count, srcStep, dstStep int, gmask, smask uint16)
	// tpose, if set, transposes lanes×lanes blocks (see tpose32); gather then
	// packs only the steps past the last whole block.
	tpose func(dst, src *T, offs *int64, chunks, dstStride int, smask uint16)
	// dot4, if set, serves products of at most smallM rows with B transposed
	// (Linear at batch 1) by dot products, packing nothing (see sdot4).
	dot4  func(k int, x, b *T, ldb int, out *T)
	lanes int
}

var (
	goF32 = &kernels[float32]{name: "go", mr: 4, nr: 8, nrNarrow: 8, full: goKernel[float32], narrow: goKernel[float32]}
	goF64 = &kernels[float64]{name: "go", mr: 4, nr: 8, nrNarrow: 8, full: goKernel[float64], narrow: goKernel[float64]}

	// available32/64 list the kernel sets this CPU runs, best first; init
	// prepends the assembly ones.
	available32 = []*kernels[float32]{goF32}
	available64 = []*kernels[float64]{goF64}
	best32      *kernels[float32]
	best64      *kernels[float64]
)

// Kernel names the micro-kernel Gemm uses for T on this machine: "avx512",
// "avx2" or "go".
func Kernel[T num.Float]() string { return best[T]().name }

func best[T num.Float]() *kernels[T] {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(best32).(*kernels[T])
	}
	return any(best64).(*kernels[T])
}

// Gemm computes C = alpha·op(A)·op(B) + beta·C where op(A) is m×k, op(B) is
// k×n and C is m×n, all row-major: A is stored m×k with leading dimension
// lda (k×m if tA), B is stored k×n with leading dimension ldb (n×k if tB),
// C has leading dimension ldc. When beta is zero C is only written (NaNs in
// it do not propagate). Gemm panics on dimensions that do not fit the
// slices — callers are Stheno's own kernels, which check user input first.
func Gemm[T num.Float](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	gemmWith(best[T](), tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func gemmWith[T num.Float](kn *kernels[T], tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative dimension m=%d n=%d k=%d", m, n, k))
	}
	if m == 0 || n == 0 {
		return
	}
	checkMat("c", c, m, n, ldc)
	if k == 0 || alpha == 0 {
		scale(beta, c, m, n, ldc)
		return
	}
	if tA {
		checkMat("a", a, k, m, lda)
	} else {
		checkMat("a", a, m, k, lda)
	}
	if tB {
		checkMat("b", b, n, k, ldb)
	} else {
		checkMat("b", b, k, n, ldb)
	}

	s := getState[T]()
	s.kn = kn
	s.tA, s.tB, s.m, s.n, s.k = tA, tB, m, n, k
	s.alpha, s.a, s.lda, s.b, s.ldb, s.beta, s.c, s.ldc = alpha, a, lda, b, ldb, beta, c, ldc

	if kn.dot4 != nil && tB && !tA && m <= smallM {
		s.dots(&s.ws[0])
		putState(s)
		return
	}

	// Split over cores by rows or columns of C (never k), in whole tiles.
	parts := min(runtime.GOMAXPROCS(0), par.MaxParts)
	if f := 2 * m * n * k / minPartFlops; f < parts {
		parts = max(f, 1)
	}
	mt, nt := (m+kn.mr-1)/kn.mr, (n+kn.nr-1)/kn.nr
	// Splitting rows repacks all of B in every part, splitting columns all of A:
	// split the dimension whose other operand is cheaper to repack.
	s.splitN = n*k > m*k && nt >= 2 || mt < 2
	if s.splitN {
		parts = min(parts, nt)
	} else {
		parts = min(parts, mt)
	}
	s.parts = parts
	if parts <= 1 {
		s.run(&s.ws[0], 0, m, 0, n)
	} else {
		par.For(parts, 1, s)
	}
	putState(s)
}

// checkMat panics unless x holds a rows×cols matrix with leading dimension ld.
func checkMat[T num.Float](name string, x []T, rows, cols, ld int) {
	if ld < max(cols, 1) {
		panic(fmt.Sprintf("gemm: ld%s=%d < %d columns", name, ld, cols))
	}
	if rows > 0 && cols > 0 && len(x) < (rows-1)*ld+cols {
		panic(fmt.Sprintf("gemm: len(%s)=%d too short for %d×%d with ld %d", name, len(x), rows, cols, ld))
	}
}

// scale sets C = beta·C (C = 0 when beta is zero).
func scale[T num.Float](beta T, c []T, m, n, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
		} else if beta != 1 {
			for j := range row {
				row[j] *= beta
			}
		}
	}
}

// workspace holds one part's pack buffers.
type workspace[T num.Float] struct {
	a, b, tile []T
	idx        [16]int32
	offs       [16]int64
	dots       [64]T
}

// state is one Gemm call: its arguments and per-part workspaces. States are
// pooled on a free list (not a sync.Pool, which a GC would empty).
type state[T num.Float] struct {
	kn            *kernels[T]
	tA, tB        bool
	m, n, k       int
	alpha, beta   T
	a, b, c       []T
	lda, ldb, ldc int
	splitN        bool
	parts         int
	ws            [par.MaxParts]workspace[T]
}

var (
	freeMu sync.Mutex
	free32 []*state[float32]
	free64 []*state[float64]
)

func getState[T num.Float]() *state[T] {
	freeMu.Lock()
	defer freeMu.Unlock()
	var z T
	if _, ok := any(z).(float32); ok {
		if n := len(free32); n > 0 {
			s := free32[n-1]
			free32 = free32[:n-1]
			return any(s).(*state[T])
		}
	} else if n := len(free64); n > 0 {
		s := free64[n-1]
		free64 = free64[:n-1]
		return any(s).(*state[T])
	}
	return new(state[T])
}

func putState[T num.Float](s *state[T]) {
	s.a, s.b, s.c = nil, nil, nil
	freeMu.Lock()
	defer freeMu.Unlock()
	switch s := any(s).(type) {
	case *state[float32]:
		free32 = append(free32, s)
	case *state[float64]:
		free64 = append(free64, s)
	}
}

// Range runs part p of the split (par.Job).
func (s *state[T]) Range(p, _, _ int) {
	kn := s.kn
	if s.splitN {
		nt := (s.n + kn.nr - 1) / kn.nr
		lo, hi := par.Bounds(nt, s.parts, p)
		s.run(&s.ws[p], 0, s.m, lo*kn.nr, min(hi*kn.nr, s.n))
	} else {
		mt := (s.m + kn.mr - 1) / kn.mr
		lo, hi := par.Bounds(mt, s.parts, p)
		s.run(&s.ws[p], lo*kn.mr, min(hi*kn.mr, s.m), 0, s.n)
	}
}

// run computes rows [i0, i1) and columns [j0, j1) of C.
func (s *state[T]) run(ws *workspace[T], i0, i1, j0, j1 int) {
	kn := s.kn
	mr, nr := kn.mr, kn.nr
	var z T
	size := int(unsafeSizeof(z))
	mc := max(mcBytes/(kcBlock*size)/mr*mr, mr)
	kc0 := min(kcBlock, s.k)
	ws.a = num.Grow(ws.a, min(mc, roundUp(i1-i0, mr))*kc0)
	ws.b = num.Grow(ws.b, roundUp(min(ncBlock, j1-j0), nr)*kc0)
	ws.tile = num.Grow(ws.tile, mr*nr)
	for jc := j0; jc < j1; jc += ncBlock {
		nc := min(ncBlock, j1-jc)
		for pc := 0; pc < s.k; pc += kcBlock {
			kc := min(kcBlock, s.k-pc)
			beta := s.beta
			if pc > 0 {
				beta = 1
			}
			packB(kn, ws, ws.b, s.b, s.ldb, s.tB, pc, kc, jc, nc)
			// A is read in place (not packed) when it is used for few panels
			// of B and tall enough for whole micro-panels.
			direct := s.m >= mr && (nc+nr-1)/nr <= directPanels && (s.tA || kn.fullRow != nil)
			for ic := i0; ic < i1; ic += mc {
				mcc := min(mc, i1-ic)
				if !direct {
					packA(kn, ws, ws.a, s.a, s.lda, s.tA, ic, mcc, pc, kc)
				}
				s.block(ws, ic, mcc, jc, nc, pc, kc, beta, direct)
			}
		}
	}
}

// block runs the micro-kernel over an mcc×kc block of A (packed in ws.a,
// or read in place from rows ic… and columns pc… of op(A) when direct) and
// the packed kc×nc block of B.
func (s *state[T]) block(ws *workspace[T], ic, mcc, jc, nc, pc, kc int, beta T, direct bool) {
	kn := s.kn
	mr := kn.mr
	alpha, c, ldc := s.alpha, s.c, s.ldc
	tile := ws.tile
	boff := 0
	for jr := 0; jr < nc; {
		w, f, fRow := kn.nr, kn.full, kn.fullRow
		if nc-jr <= kn.nrNarrow {
			w, f, fRow = kn.nrNarrow, kn.narrow, kn.narrowRow
		}
		cols := min(w, nc-jr)
		bp := &ws.b[boff]
		for ir := 0; ir < mcc; ir += mr {
			rows := min(mr, mcc-ir)
			// skip: tile rows computed above the ones wanted (direct edges are
			// computed for the last mr rows of A, which exist as m ≥ mr).
			var ap *T
			lda, fk, skip := mr, f, 0
			if direct {
				skip = mr - rows
				r := ic + ir - skip
				switch {
				case s.tA:
					ap, lda = &s.a[pc*s.lda+r], s.lda
				default:
					ap, lda, fk = &s.a[r*s.lda+pc], s.lda, fRow
				}
			} else {
				ap = &ws.a[ir*kc]
			}
			ci := (ic+ir)*ldc + jc + jr
			if rows == mr && cols == w {
				fk(kc, ap, lda, bp, &c[ci], ldc, alpha, beta)
				continue
			}
			fk(kc, ap, lda, bp, &tile[0], w, alpha, 0)
			for i := 0; i < rows; i++ {
				crow := c[ci+i*ldc : ci+i*ldc+cols]
				trow := tile[(skip+i)*w : (skip+i)*w+cols]
				if beta == 0 {
					copy(crow, trow)
					continue
				}
				for j, t := range trow {
					crow[j] = t + beta*crow[j]
				}
			}
		}
		boff += w * kc
		jr += w
	}
}

// dots computes C for m ≤ smallM rows with B transposed: every element is
// one dot product of a row of A and a row of B, kept as lanes partial sums
// (in order of p) and then summed from lane 0 up.
func (s *state[T]) dots(ws *workspace[T]) {
	kn, L := s.kn, s.kn.lanes
	k, n := s.k, s.n
	for i := 0; i < s.m; i++ {
		x := &s.a[i*s.lda]
		crow := s.c[i*s.ldc : i*s.ldc+n]
		for j := 0; j < n; {
			rows, ld := 4, s.ldb
			if n-j < 4 { // one row at a time: the four dots all read row j
				rows, ld = 1, 0
			}
			kn.dot4(k, x, &s.b[j*s.ldb], ld, &ws.dots[0])
			for r := 0; r < rows; r++ {
				var v T
				for _, p := range ws.dots[r*L : r*L+L] {
					v += p
				}
				if s.beta == 0 {
					crow[j+r] = s.alpha * v
				} else {
					crow[j+r] = s.alpha*v + s.beta*crow[j+r]
				}
			}
			j += rows
		}
	}
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }
