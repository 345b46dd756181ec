package gemm

import (
	"unsafe"

	"github.com/stheno-ml/stheno/internal/num"
)

func unsafeSizeof[T num.Float](z T) uintptr { return unsafe.Sizeof(z) }

// packA copies rows [i0, i0+mc) and columns [p0, p0+kc) of op(A) into dst as
// micro-panels of mr rows: panel q holds, for p = 0…kc-1, the mr values
// op(A)[i0+q·mr+r, p0+p] at dst[q·mr·kc + p·mr + r], rows past mc zero.
func packA[T num.Float](kn *kernels[T], ws *workspace[T], dst, a []T, lda int, tA bool, i0, mc, p0, kc int) {
	mr := kn.mr
	for q := 0; q*mr < mc; q++ {
		d := dst[q*mr*kc : (q+1)*mr*kc]
		rows := min(mr, mc-q*mr)
		r0 := i0 + q*mr
		if tA { // op(A)[i, p] = a[p*lda + i]: each p is a contiguous run of rows.
			for p := 0; p < kc; p++ {
				dp := d[p*mr : p*mr+mr]
				copy(dp, a[(p0+p)*lda+r0:(p0+p)*lda+r0+rows])
				clear(dp[rows:])
			}
			continue
		}
		// op(A)[i, p] = a[i*lda + p]: each row is contiguous in p.
		if transposePanel(kn, ws, d, a, r0*lda+p0, lda, rows, mr, kc) {
			continue
		}
		transposeRuns(d, a, r0*lda+p0, lda, rows, mr, kc)
	}
}

// packB copies rows [p0, p0+kc) and columns [j0, j0+nc) of op(B) into dst
// as panels: nr columns wide, except a last one of at most nrNarrow columns
// which is nrNarrow wide. A panel of width w starting at column j holds
// op(B)[p0+p, j0+j+c] at offset p·w + c, columns past nc zero.
func packB[T num.Float](kn *kernels[T], ws *workspace[T], dst, b []T, ldb int, tB bool, p0, kc, j0, nc int) {
	nr, nrNarrow := kn.nr, kn.nrNarrow
	off := 0
	for j := 0; j < nc; {
		w := nr
		if nc-j <= nrNarrow {
			w = nrNarrow
		}
		cols := min(w, nc-j)
		d := dst[off : off+w*kc]
		if tB && transposePanel(kn, ws, d, b, (j0+j)*ldb+p0, ldb, cols, w, kc) {
			// packed by vector gathers
		} else if tB { // op(B)[p, j] = b[j*ldb + p]: each column is contiguous in p.
			transposeRuns(d, b, (j0+j)*ldb+p0, ldb, cols, w, kc)
		} else { // op(B)[p, j] = b[p*ldb + j]: each p is a contiguous run of columns.
			for p := 0; p < kc; p++ {
				dp := d[p*w : p*w+w]
				row := (p0+p)*ldb + j0 + j
				copy(dp, b[row:row+cols])
				clear(dp[cols:])
			}
		}
		off += w * kc
		j += w
	}
}

// transposePanel packs a panel w lanes wide with the kernel set's vector
// transposes and gathers: d[t·w + l] = src[base + l·ld + t] for t < count
// and lanes l < valid (lanes from valid to w are left unspecified: they only
// reach tile rows or columns that are discarded). It reports false (doing
// nothing) when there are no vector packs or the offsets do not fit the
// gathers' 32-bit indices. ws holds the index scratch (a local would escape
// through the function values).
func transposePanel[T num.Float](kn *kernels[T], ws *workspace[T], d, src []T, base, ld, valid, w, count int) bool {
	L := kn.lanes
	if kn.gather == nil || w*ld >= 1<<31 {
		return false
	}
	var z T
	size := int(unsafe.Sizeof(z))
	chunks := 0
	if kn.tpose != nil {
		chunks = count / L
	}
	t0 := chunks * L
	for g := 0; g < w; g += L {
		nl := min(L, w-g)
		v := min(max(valid-g, 0), nl)
		if v == 0 {
			continue
		}
		smask := uint16(1<<nl - 1)
		s := &src[base+g*ld]
		if chunks > 0 {
			for l := range L {
				ws.offs[l] = int64(min(l, v-1) * ld * size)
			}
			kn.tpose(&d[g], s, &ws.offs[0], chunks, w*size, smask)
		}
		if t0 < count {
			for l := range L {
				ws.idx[l] = int32(min(l, v-1) * ld)
			}
			kn.gather(&d[t0*w+g], &src[base+g*ld+t0], &ws.idx[0], count-t0, size, w*size, uint16(1<<v-1), smask)
		}
	}
	return true
}

// transposeRuns is both packs' scalar transposing copy: the n runs of kc contiguous values
// src[off+r·ld : off+r·ld+kc] go to d[p·w + r] (r < n, p < kc), and lanes n…w-1 are zeroed.
func transposeRuns[T num.Float](d, src []T, off, ld, n, w, kc int) {
	for r := 0; r < n; r++ {
		run := src[off+r*ld : off+r*ld+kc]
		dr := d[r:]
		for p, v := range run {
			dr[p*w] = v
		}
	}
	if n < w {
		for p := 0; p < kc; p++ {
			clear(d[p*w+n : p*w+w])
		}
	}
}
