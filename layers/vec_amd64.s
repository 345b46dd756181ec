//go:build amd64 && !purego

#include "textflag.h"

// func axpyRowsF32(a float32, x *float32, xs int, y *float32, ys int, n, rows int)
TEXT ·axpyRowsF32(SB), NOSPLIT, $0-56
	VBROADCASTSS a+0(FP), Y0
	MOVQ x+8(FP), SI
	MOVQ xs+16(FP), R8
	SHLQ $2, R8
	MOVQ y+24(FP), DI
	MOVQ ys+32(FP), R9
	SHLQ $2, R9
	MOVQ rows+48(FP), R10
	TESTQ R10, R10
	JZ axpydone
axpyrow:
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ n+40(FP), CX
	MOVQ CX, DX
	ANDQ $7, DX
	SHRQ $3, CX
	JZ axpytail
axpyloop:
	VMOVUPS (R11), Y1
	VFMADD213PS (R12), Y0, Y1 // Y1 = a·x + y
	VMOVUPS Y1, (R12)
	ADDQ $32, R11
	ADDQ $32, R12
	DECQ CX
	JNZ axpyloop
axpytail:
	TESTQ DX, DX
	JZ axpynext
axpytailloop:
	VMOVSS (R11), X1
	VFMADD213SS (R12), X0, X1
	VMOVSS X1, (R12)
	ADDQ $4, R11
	ADDQ $4, R12
	DECQ DX
	JNZ axpytailloop
axpynext:
	ADDQ R8, SI
	ADDQ R9, DI
	DECQ R10
	JNZ axpyrow
axpydone:
	VZEROUPPER
	RET

// func dotRowsF32(x *float32, xs int, y *float32, ys int, n, rows int) float32
TEXT ·dotRowsF32(SB), NOSPLIT, $0-52
	MOVQ x+0(FP), SI
	MOVQ xs+8(FP), R8
	SHLQ $2, R8
	MOVQ y+16(FP), DI
	MOVQ ys+24(FP), R9
	SHLQ $2, R9
	MOVQ rows+40(FP), R10
	VXORPS Y0, Y0, Y0
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	TESTQ R10, R10
	JZ dotreduce
dotrow:
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ n+32(FP), CX
	MOVQ CX, DX
	ANDQ $7, DX
	SHRQ $3, CX
	JZ dottail
	MOVQ CX, BX
	SHRQ $1, BX // pairs of 8-blocks, into two sums that do not wait on each other
	JZ dotone
dotloop:
	VMOVUPS (R11), Y1
	VFMADD231PS (R12), Y1, Y0 // Y0 += x·y
	VMOVUPS 32(R11), Y4
	VFMADD231PS 32(R12), Y4, Y2 // Y2 += x·y
	ADDQ $64, R11
	ADDQ $64, R12
	DECQ BX
	JNZ dotloop
dotone:
	ANDQ $1, CX
	JZ dottail
	VMOVUPS (R11), Y1
	VFMADD231PS (R12), Y1, Y0
	ADDQ $32, R11
	ADDQ $32, R12
dottail:
	TESTQ DX, DX
	JZ dotnext
dottailloop:
	VMOVSS (R11), X1
	VFMADD231SS (R12), X1, X3
	ADDQ $4, R11
	ADDQ $4, R12
	DECQ DX
	JNZ dottailloop
dotnext:
	ADDQ R8, SI
	ADDQ R9, DI
	DECQ R10
	JNZ dotrow
dotreduce:
	VADDPS Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VADDSS X3, X0, X0
	VZEROUPPER
	MOVSS X0, ret+48(FP)
	RET

// func reluRowF32(y, x *float32, n int)
// y = x with every element whose sign bit is set replaced by +0, eight elements a step (n is a
// multiple of 8): y = x &^ (x >> 31 arithmetic).
TEXT ·reluRowF32(SB), NOSPLIT, $0-24
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ reludone
reluloop:
	VMOVUPS (SI), Y0
	VPSRAD $31, Y0, Y1
	VPANDN Y0, Y1, Y2 // Y2 = ^Y1 & Y0
	VMOVUPS Y2, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ reluloop
reludone:
	VZEROUPPER
	RET

// func reluGradRowF32(gx, y, gy *float32, n int)
// gx = gy where y's bits are not all zero, else +0, eight elements a step (n a multiple of 8).
TEXT ·reluGradRowF32(SB), NOSPLIT, $0-32
	MOVQ gx+0(FP), DI
	MOVQ y+8(FP), SI
	MOVQ gy+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	JZ relugdone
	VPXOR Y3, Y3, Y3
relugloop:
	VMOVUPS (SI), Y0
	VPCMPEQD Y3, Y0, Y1 // all ones where y == 0
	VMOVUPS (DX), Y2
	VPANDN Y2, Y1, Y2 // Y2 = ^Y1 & gy
	VMOVUPS Y2, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ relugloop
relugdone:
	VZEROUPPER
	RET

// poolPerm<> lays 16 floats out as their 8 even-indexed ones then their 8 odd-indexed ones; its
// first 8 entries are the even offsets 0, 2, …, 14.
DATA poolPerm<>+0(SB)/4, $0
DATA poolPerm<>+4(SB)/4, $2
DATA poolPerm<>+8(SB)/4, $4
DATA poolPerm<>+12(SB)/4, $6
DATA poolPerm<>+16(SB)/4, $8
DATA poolPerm<>+20(SB)/4, $10
DATA poolPerm<>+24(SB)/4, $12
DATA poolPerm<>+28(SB)/4, $14
DATA poolPerm<>+32(SB)/4, $1
DATA poolPerm<>+36(SB)/4, $3
DATA poolPerm<>+40(SB)/4, $5
DATA poolPerm<>+44(SB)/4, $7
DATA poolPerm<>+48(SB)/4, $9
DATA poolPerm<>+52(SB)/4, $11
DATA poolPerm<>+56(SB)/4, $13
DATA poolPerm<>+60(SB)/4, $15
GLOBL poolPerm<>(SB), RODATA|NOPTR, $64

// func maxPool2x2F32(y *float32, arg *int32, x *float32, w, ow, oh int)
// 2×2, stride 2 max pooling of one plane x (rows of w, 2·ow ≤ w, 2·oh ≤ rows) into y (oh × ow)
// and arg (the flat index of each window's maximum in x), eight outputs a step with masked
// loads and stores for a row's last ones. The window is scanned (0,0), (0,1), (1,0), (1,1) and a
// candidate replaces the best so far when greater, or NaN while the best is not: the first
// maximum on ties, NaN propagating, as the Go loop.
TEXT ·maxPool2x2F32(SB), NOSPLIT, $0-48
	MOVQ y+0(FP), DI
	MOVQ arg+8(FP), R8
	MOVQ x+16(FP), SI
	MOVQ w+24(FP), R9
	MOVQ ow+32(FP), R10
	MOVQ oh+40(FP), R11
	TESTQ R10, R10
	JZ pooldone
	TESTQ R11, R11
	JZ pooldone
	VMOVDQU32 poolPerm<>(SB), Z30
	VMOVDQU32 poolPerm<>(SB), Y29
	MOVL $1, AX
	MOVD AX, X5
	VPBROADCASTD X5, Y26 // offset of (0,1)
	MOVL R9, AX
	MOVD AX, X5
	VPBROADCASTD X5, Y28 // offset of (1,0)
	INCL AX
	MOVD AX, X5
	VPBROADCASTD X5, Y27 // offset of (1,1)
	XORQ BX, BX          // flat index of the row pair's first element
poolrow:
	LEAQ (SI)(R9*4), R13 // second row of the pair
	XORQ R15, R15        // outputs done in this row
poolchunk:
	MOVQ R10, AX
	SUBQ R15, AX
	CMPQ AX, $8
	JLE poolrem
	MOVQ $8, AX
poolrem:
	MOVQ AX, CX
	MOVL $1, R14
	SHLL CX, R14
	DECL R14
	KMOVW R14, K2 // output lanes
	ADDQ CX, CX
	MOVL $1, R14
	SHLL CX, R14
	DECL R14
	KMOVW R14, K1 // input lanes
	VMOVUPS.Z (SI)(R15*8), K1, Z0
	VMOVUPS.Z (R13)(R15*8), K1, Z1
	VPERMPS Z0, Z30, Z0
	VPERMPS Z1, Z30, Z1
	VEXTRACTF64X4 $1, Z0, Y2 // (0,1)
	VEXTRACTF64X4 $1, Z1, Y3 // (1,1); Y0 is (0,0), Y1 is (1,0)
	VPXORD Y4, Y4, Y4        // offsets of the best so far

	VCMPPS $0x1e, Y0, Y2, K3 // candidate > best
	VCMPPS $3, Y2, Y2, K4    // candidate is NaN
	VCMPPS $7, Y0, Y0, K5    // best is not NaN
	KANDW K4, K5, K4
	KORW K3, K4, K3
	VBLENDMPS Y2, Y0, K3, Y0
	VPBLENDMD Y26, Y4, K3, Y4

	VCMPPS $0x1e, Y0, Y1, K3
	VCMPPS $3, Y1, Y1, K4
	VCMPPS $7, Y0, Y0, K5
	KANDW K4, K5, K4
	KORW K3, K4, K3
	VBLENDMPS Y1, Y0, K3, Y0
	VPBLENDMD Y28, Y4, K3, Y4

	VCMPPS $0x1e, Y0, Y3, K3
	VCMPPS $3, Y3, Y3, K4
	VCMPPS $7, Y0, Y0, K5
	KANDW K4, K5, K4
	KORW K3, K4, K3
	VBLENDMPS Y3, Y0, K3, Y0
	VPBLENDMD Y27, Y4, K3, Y4

	LEAQ (BX)(R15*2), DX
	MOVD DX, X5
	VPBROADCASTD X5, Y5
	VPADDD Y29, Y4, Y4
	VPADDD Y5, Y4, Y4
	VMOVUPS Y0, K2, (DI)(R15*4)
	VMOVDQU32 Y4, K2, (R8)(R15*4)
	ADDQ $8, R15
	CMPQ R15, R10
	JLT poolchunk

	LEAQ (DI)(R10*4), DI
	LEAQ (R8)(R10*4), R8
	LEAQ (SI)(R9*8), SI
	LEAQ (BX)(R9*2), BX
	DECQ R11
	JNZ poolrow
pooldone:
	VZEROUPPER
	RET

// func copyRowsF32(dst *float32, ds int, src *float32, ss int, n, rows int)
// Copies rows rows of n elements, row r from src+r·ss to dst+r·ds, sixteen elements a step with
// a masked step for a row's last ones.
TEXT ·copyRowsF32(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ ds+8(FP), R8
	SHLQ $2, R8
	MOVQ src+16(FP), SI
	MOVQ ss+24(FP), R9
	SHLQ $2, R9
	MOVQ n+32(FP), R10
	MOVQ rows+40(FP), R11
	TESTQ R10, R10
	JZ copydone
	TESTQ R11, R11
	JZ copydone
	// K1: the mask of the last, partial step (n mod 16 elements; all 16 when n is a multiple).
	MOVQ R10, CX
	ANDQ $15, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	TESTQ CX, CX
	JNZ copymask
	MOVL $0xffff, AX
copymask:
	KMOVW AX, K1
	LEAQ -1(R10), R12
	SHRQ $4, R12 // full steps before the last one
copyrow:
	XORQ R13, R13
	MOVQ R12, CX
	TESTQ CX, CX
	JZ copylast
copyfull:
	VMOVUPS (SI)(R13*4), Z0
	VMOVUPS Z0, (DI)(R13*4)
	ADDQ $16, R13
	DECQ CX
	JNZ copyfull
copylast:
	VMOVUPS.Z (SI)(R13*4), K1, Z0
	VMOVUPS Z0, K1, (DI)(R13*4)
	ADDQ R8, DI
	ADDQ R9, SI
	DECQ R11
	JNZ copyrow
copydone:
	VZEROUPPER
	RET
