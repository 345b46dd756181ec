//go:build ignore

// gen_transpose writes transpose_amd64.s: the AVX-512 transposing packs
// tpose32 (16×16 float32 blocks) and tpose64 (8×8 float64 blocks). The
// shuffle network is simulated here on labelled lanes, so the store of each
// output row goes where the simulation says its column ended up (and the
// generator fails if any register is not one whole column).
//
// Run with `go generate ./internal/gemm/` (or `go run gen_transpose.go`).
package main

import (
	"bytes"
	"fmt"
	"os"
)

// lane labels: row*64 + col of the source block.
type vec []int

type sim struct {
	n    int // lanes
	regs [32]vec
	w    *bytes.Buffer
	sfx  string // "PS" or "PD"
	wide string // "F32X4" or "F64X2"
}

func (s *sim) emit(format string, args ...any) { fmt.Fprintf(s.w, "\t"+format+"\n", args...) }

// lanesPer128 is the number of lanes in a 128-bit block.
func (s *sim) lanesPer128() int { return s.n / 4 }

// unpack emulates VUNPCKL/H{PS,PD} dst = op(a, b) per 128-bit block.
func (s *sim) unpack(hi bool, dst, a, b int) {
	L := s.lanesPer128()
	r := make(vec, s.n)
	for blk := 0; blk < 4; blk++ {
		base := blk * L
		off := 0
		if hi {
			off = L / 2
		}
		for i := 0; i < L/2; i++ {
			r[base+2*i] = s.regs[a][base+off+i]
			r[base+2*i+1] = s.regs[b][base+off+i]
		}
	}
	name := "VUNPCKL"
	if hi {
		name = "VUNPCKH"
	}
	s.emit("%s%s Z%d, Z%d, Z%d", name, s.sfx, b, a, dst)
	s.regs[dst] = r
}

// unpack2 is VUNPCKL/HPD on float32 data (pairs of lanes move together).
func (s *sim) unpack2(hi bool, dst, a, b int) {
	r := make(vec, 16)
	for blk := 0; blk < 4; blk++ {
		base := blk * 4
		off := 0
		if hi {
			off = 2
		}
		r[base], r[base+1] = s.regs[a][base+off], s.regs[a][base+off+1]
		r[base+2], r[base+3] = s.regs[b][base+off], s.regs[b][base+off+1]
	}
	name := "VUNPCKLPD"
	if hi {
		name = "VUNPCKHPD"
	}
	s.emit("%s Z%d, Z%d, Z%d", name, b, a, dst)
	s.regs[dst] = r
}

// shuf emulates VSHUF{F32X4,F64X2} dst = (a, b, imm).
func (s *sim) shuf(imm, dst, a, b int) {
	L := s.lanesPer128()
	r := make(vec, s.n)
	for blk := 0; blk < 4; blk++ {
		sel := (imm >> (2 * blk)) & 3
		src := a
		if blk >= 2 {
			src = b
		}
		copy(r[blk*L:(blk+1)*L], s.regs[src][sel*L:(sel+1)*L])
	}
	s.emit("VSHUF%s $0x%02x, Z%d, Z%d, Z%d", s.wide, imm, b, a, dst)
	s.regs[dst] = r
}

func header(w *bytes.Buffer, name, typ string) {
	fmt.Fprintf(w, "// func %s(dst, src *%s, offs *int64, chunks, dstStride int, smask uint16)\n", name, typ)
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-42\n", name)
	for _, l := range []string{"MOVQ dst+0(FP), DI", "MOVQ src+8(FP), SI", "MOVQ offs+16(FP), AX",
		"MOVQ chunks+24(FP), CX", "MOVQ dstStride+32(FP), R8", "KMOVW smask+40(FP), K1",
		"TESTQ CX, CX", "JEQ " + name + "_done"} {
		fmt.Fprintf(w, "\t%s\n", l)
	}
	fmt.Fprintf(w, "%s_loop:\n", name)
}

func footer(s *sim, name string, out []int, size int) {
	// out[p] is the register holding column p: store columns in increasing order.
	for p := 0; p < s.n; p++ {
		reg := -1
		for _, r := range out {
			v := s.regs[r]
			ok := true
			for i := range v {
				if v[i] != i*64+p {
					ok = false
					break
				}
			}
			if ok {
				reg = r
			}
		}
		if reg < 0 {
			panic(fmt.Sprintf("%s: no register holds column %d", name, p))
		}
		s.emit("VMOVUP%s Z%d, K1, (DI)", s.sfx[1:], reg)
		s.emit("ADDQ R8, DI")
	}
	s.emit("ADDQ $%d, SI", s.n*size)
	s.emit("DECQ CX")
	s.emit("JNZ %s_loop", name)
	fmt.Fprintf(s.w, "%s_done:\n", name)
	s.emit("VZEROUPPER")
	s.emit("RET")
	fmt.Fprintln(s.w)
}

func load(s *sim) {
	for r := 0; r < s.n; r++ {
		s.emit("MOVQ %d(AX), R10", 8*r)
		s.emit("VMOVUP%s (SI)(R10*1), Z%d", s.sfx[1:], r)
		v := make(vec, s.n)
		for i := range v {
			v[i] = r*64 + i
		}
		s.regs[r] = v
	}
}

// interleaveRows is both packs' first stage: rows 2i and 2i+1 (Z0…Z(n-1)) interleaved
// lane by lane, low halves into Z(16+2i) and high halves into Z(17+2i).
func interleaveRows(s *sim) {
	for i := 0; i < s.n/2; i++ {
		s.unpack(false, 16+2*i, 2*i, 2*i+1)
		s.unpack(true, 16+2*i+1, 2*i, 2*i+1)
	}
}

func gen32(w *bytes.Buffer) {
	s := &sim{n: 16, w: w, sfx: "PS", wide: "F32X4"}
	header(w, "tpose32", "float32")
	load(s)
	interleaveRows(s) // Stage 1, 32-bit lanes: into Z16–Z31.
	// Stage 2: interleave pairs (64-bit), back into Z0–Z15.
	for g := 0; g < 4; g++ {
		t := 16 + 4*g
		s.unpack2(false, 4*g, t, t+2)
		s.unpack2(true, 4*g+1, t, t+2)
		s.unpack2(false, 4*g+2, t+1, t+3)
		s.unpack2(true, 4*g+3, t+1, t+3)
	}
	// Stage 3: 128-bit blocks of row groups (0–3, 4–7) and (8–11, 12–15), into Z16–Z31.
	for h := 0; h < 2; h++ {
		for i := 0; i < 4; i++ {
			s.shuf(0x88, 16+8*h+i, 8*h+i, 8*h+4+i)
			s.shuf(0xdd, 16+8*h+4+i, 8*h+i, 8*h+4+i)
		}
	}
	// Stage 4: combine the two halves, into Z0–Z15.
	for i := 0; i < 8; i++ {
		s.shuf(0x88, i, 16+i, 24+i)
		s.shuf(0xdd, 8+i, 16+i, 24+i)
	}
	out := make([]int, 16)
	for i := range out {
		out[i] = i
	}
	footer(s, "tpose32", out, 4)
}

func gen64(w *bytes.Buffer) {
	s := &sim{n: 8, w: w, sfx: "PD", wide: "F64X2"}
	header(w, "tpose64", "float64")
	load(s)
	interleaveRows(s) // Stage 1: into Z16–Z23.
	// Stage 2: 128-bit blocks of rows (0–1, 2–3) and (4–5, 6–7), into Z0–Z7.
	for h := 0; h < 2; h++ {
		t := 16 + 4*h
		s.shuf(0x88, 4*h, t, t+2)
		s.shuf(0x88, 4*h+1, t+1, t+3)
		s.shuf(0xdd, 4*h+2, t, t+2)
		s.shuf(0xdd, 4*h+3, t+1, t+3)
	}
	// Stage 3: combine the halves, into Z16–Z23.
	for i := 0; i < 4; i++ {
		s.shuf(0x88, 16+i, i, 4+i)
		s.shuf(0xdd, 20+i, i, 4+i)
	}
	footer(s, "tpose64", []int{16, 17, 18, 19, 20, 21, 22, 23}, 8)
}

func main() {
	var w bytes.Buffer
	w.WriteString("// Code generated by gen_transpose.go; DO NOT EDIT.\n\n//go:build amd64 && !purego\n\n#include \"textflag.h\"\n\n")
	gen32(&w)
	gen64(&w)
	if err := os.WriteFile("transpose_amd64.s", w.Bytes(), 0o644); err != nil {
		panic(err)
	}
}
