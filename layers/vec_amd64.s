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
