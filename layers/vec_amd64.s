//go:build amd64 && !purego

#include "textflag.h"

// func axpyF32AVX2(a float32, x, y *float32, n int)
TEXT ·axpyF32AVX2(SB), NOSPLIT, $0-32
	VBROADCASTSS a+0(FP), Y0
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ n+24(FP), CX
	MOVQ CX, DX
	ANDQ $7, DX
	SHRQ $3, CX
	JZ axpytail
axpyloop:
	VMOVUPS (SI), Y1
	VFMADD213PS (DI), Y0, Y1 // Y1 = a·x + y
	VMOVUPS Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ axpyloop
axpytail:
	TESTQ DX, DX
	JZ axpydone
axpytailloop:
	VMOVSS (SI), X1
	VFMADD213SS (DI), X0, X1
	VMOVSS X1, (DI)
	ADDQ $4, SI
	ADDQ $4, DI
	DECQ DX
	JNZ axpytailloop
axpydone:
	VZEROUPPER
	RET

// func dotF32AVX2(x, y *float32, n int) float32
TEXT ·dotF32AVX2(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ n+16(FP), CX
	MOVQ CX, DX
	ANDQ $7, DX
	VXORPS Y0, Y0, Y0
	SHRQ $3, CX
	JZ dotreduce
dotloop:
	VMOVUPS (SI), Y1
	VFMADD231PS (DI), Y1, Y0 // Y0 += x·y
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ dotloop
dotreduce:
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	TESTQ DX, DX
	JZ dotdone
dottail:
	VMOVSS (SI), X1
	VFMADD231SS (DI), X1, X0
	ADDQ $4, SI
	ADDQ $4, DI
	DECQ DX
	JNZ dottail
dotdone:
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET
