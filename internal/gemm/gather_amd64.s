//go:build amd64 && !purego

#include "textflag.h"

// func gather32(dst, src *float32, idx *int32, count, srcStep, dstStep int, gmask, smask uint16)
// For t < count: v = 0; v[l] = src[idx[l]] for l in gmask; store v's smask lanes
// at dst; src += srcStep bytes, dst += dstStep bytes.
TEXT ·gather32(SB), NOSPLIT, $0-52
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ idx+16(FP), AX
	MOVQ count+24(FP), CX
	MOVQ srcStep+32(FP), R8
	MOVQ dstStep+40(FP), R9
	KMOVW gmask+48(FP), K2
	KMOVW smask+50(FP), K3
	VMOVDQU32 (AX), Z1
	TESTQ CX, CX
	JEQ g32done
g32loop:
	VPXORD Z0, Z0, Z0
	KMOVW K2, K1
	VGATHERDPS (SI)(Z1*4), K1, Z0
	VMOVUPS Z0, K3, (DI)
	ADDQ R8, SI
	ADDQ R9, DI
	DECQ CX
	JNZ g32loop
g32done:
	VZEROUPPER
	RET

// func gather64(dst, src *float64, idx *int32, count, srcStep, dstStep int, gmask, smask uint16)
// As gather32 with 8 float64 lanes (idx holds 8 indices).
TEXT ·gather64(SB), NOSPLIT, $0-52
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ idx+16(FP), AX
	MOVQ count+24(FP), CX
	MOVQ srcStep+32(FP), R8
	MOVQ dstStep+40(FP), R9
	KMOVW gmask+48(FP), K2
	KMOVW smask+50(FP), K3
	VMOVDQU32 (AX), Y1
	TESTQ CX, CX
	JEQ g64done
g64loop:
	VPXORD Z0, Z0, Z0
	KMOVW K2, K1
	VGATHERDPD (SI)(Y1*8), K1, Z0
	VMOVUPD Z0, K3, (DI)
	ADDQ R8, SI
	ADDQ R9, DI
	DECQ CX
	JNZ g64loop
g64done:
	VZEROUPPER
	RET
