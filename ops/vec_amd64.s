//go:build amd64 && !purego

#include "textflag.h"

// Float32 vector kernels of the softmax and cross-entropy rows (see
// vec_amd64.go). exp(t) for t = x - m: 0 for t < -87 (where exp(t) is
// below the smallest normal float32, ~1.2e-38), else t is clamped to 88,
// n = round(t·log2 e), r = t - n·ln2 (ln2 in two parts, Cephes), e^r by
// Cephes' degree-7 expf polynomial, and 2^n added to the exponent bits.
// NaN propagates (the clamps keep a NaN: it is their second source).

DATA expc<>+0(SB)/4, $0x3fb8aa3b
DATA expc<>+4(SB)/4, $0x3fb8aa3b
DATA expc<>+8(SB)/4, $0x3fb8aa3b
DATA expc<>+12(SB)/4, $0x3fb8aa3b
DATA expc<>+16(SB)/4, $0x3fb8aa3b
DATA expc<>+20(SB)/4, $0x3fb8aa3b
DATA expc<>+24(SB)/4, $0x3fb8aa3b
DATA expc<>+28(SB)/4, $0x3fb8aa3b
DATA expc<>+32(SB)/4, $0x3f318000
DATA expc<>+36(SB)/4, $0x3f318000
DATA expc<>+40(SB)/4, $0x3f318000
DATA expc<>+44(SB)/4, $0x3f318000
DATA expc<>+48(SB)/4, $0x3f318000
DATA expc<>+52(SB)/4, $0x3f318000
DATA expc<>+56(SB)/4, $0x3f318000
DATA expc<>+60(SB)/4, $0x3f318000
DATA expc<>+64(SB)/4, $0xb95e8083
DATA expc<>+68(SB)/4, $0xb95e8083
DATA expc<>+72(SB)/4, $0xb95e8083
DATA expc<>+76(SB)/4, $0xb95e8083
DATA expc<>+80(SB)/4, $0xb95e8083
DATA expc<>+84(SB)/4, $0xb95e8083
DATA expc<>+88(SB)/4, $0xb95e8083
DATA expc<>+92(SB)/4, $0xb95e8083
DATA expc<>+96(SB)/4, $0x39506967
DATA expc<>+100(SB)/4, $0x39506967
DATA expc<>+104(SB)/4, $0x39506967
DATA expc<>+108(SB)/4, $0x39506967
DATA expc<>+112(SB)/4, $0x39506967
DATA expc<>+116(SB)/4, $0x39506967
DATA expc<>+120(SB)/4, $0x39506967
DATA expc<>+124(SB)/4, $0x39506967
DATA expc<>+128(SB)/4, $0x3ab743ce
DATA expc<>+132(SB)/4, $0x3ab743ce
DATA expc<>+136(SB)/4, $0x3ab743ce
DATA expc<>+140(SB)/4, $0x3ab743ce
DATA expc<>+144(SB)/4, $0x3ab743ce
DATA expc<>+148(SB)/4, $0x3ab743ce
DATA expc<>+152(SB)/4, $0x3ab743ce
DATA expc<>+156(SB)/4, $0x3ab743ce
DATA expc<>+160(SB)/4, $0x3c088908
DATA expc<>+164(SB)/4, $0x3c088908
DATA expc<>+168(SB)/4, $0x3c088908
DATA expc<>+172(SB)/4, $0x3c088908
DATA expc<>+176(SB)/4, $0x3c088908
DATA expc<>+180(SB)/4, $0x3c088908
DATA expc<>+184(SB)/4, $0x3c088908
DATA expc<>+188(SB)/4, $0x3c088908
DATA expc<>+192(SB)/4, $0x3d2aa9c1
DATA expc<>+196(SB)/4, $0x3d2aa9c1
DATA expc<>+200(SB)/4, $0x3d2aa9c1
DATA expc<>+204(SB)/4, $0x3d2aa9c1
DATA expc<>+208(SB)/4, $0x3d2aa9c1
DATA expc<>+212(SB)/4, $0x3d2aa9c1
DATA expc<>+216(SB)/4, $0x3d2aa9c1
DATA expc<>+220(SB)/4, $0x3d2aa9c1
DATA expc<>+224(SB)/4, $0x3e2aaaaa
DATA expc<>+228(SB)/4, $0x3e2aaaaa
DATA expc<>+232(SB)/4, $0x3e2aaaaa
DATA expc<>+236(SB)/4, $0x3e2aaaaa
DATA expc<>+240(SB)/4, $0x3e2aaaaa
DATA expc<>+244(SB)/4, $0x3e2aaaaa
DATA expc<>+248(SB)/4, $0x3e2aaaaa
DATA expc<>+252(SB)/4, $0x3e2aaaaa
DATA expc<>+256(SB)/4, $0x3f000000
DATA expc<>+260(SB)/4, $0x3f000000
DATA expc<>+264(SB)/4, $0x3f000000
DATA expc<>+268(SB)/4, $0x3f000000
DATA expc<>+272(SB)/4, $0x3f000000
DATA expc<>+276(SB)/4, $0x3f000000
DATA expc<>+280(SB)/4, $0x3f000000
DATA expc<>+284(SB)/4, $0x3f000000
DATA expc<>+288(SB)/4, $0x3f800000
DATA expc<>+292(SB)/4, $0x3f800000
DATA expc<>+296(SB)/4, $0x3f800000
DATA expc<>+300(SB)/4, $0x3f800000
DATA expc<>+304(SB)/4, $0x3f800000
DATA expc<>+308(SB)/4, $0x3f800000
DATA expc<>+312(SB)/4, $0x3f800000
DATA expc<>+316(SB)/4, $0x3f800000
DATA expc<>+320(SB)/4, $0xc2ae0000
DATA expc<>+324(SB)/4, $0xc2ae0000
DATA expc<>+328(SB)/4, $0xc2ae0000
DATA expc<>+332(SB)/4, $0xc2ae0000
DATA expc<>+336(SB)/4, $0xc2ae0000
DATA expc<>+340(SB)/4, $0xc2ae0000
DATA expc<>+344(SB)/4, $0xc2ae0000
DATA expc<>+348(SB)/4, $0xc2ae0000
DATA expc<>+352(SB)/4, $0x42b00000
DATA expc<>+356(SB)/4, $0x42b00000
DATA expc<>+360(SB)/4, $0x42b00000
DATA expc<>+364(SB)/4, $0x42b00000
DATA expc<>+368(SB)/4, $0x42b00000
DATA expc<>+372(SB)/4, $0x42b00000
DATA expc<>+376(SB)/4, $0x42b00000
DATA expc<>+380(SB)/4, $0x42b00000
DATA expc<>+384(SB)/4, $0xff800000
DATA expc<>+388(SB)/4, $0xff800000
DATA expc<>+392(SB)/4, $0xff800000
DATA expc<>+396(SB)/4, $0xff800000
DATA expc<>+400(SB)/4, $0xff800000
DATA expc<>+404(SB)/4, $0xff800000
DATA expc<>+408(SB)/4, $0xff800000
DATA expc<>+412(SB)/4, $0xff800000
GLOBL expc<>(SB), RODATA|NOPTR, $416

// EXP computes exp(X - Z15) in place in X (Z registers), with temporaries
// T and N. Constants: Z14 log2e, Z13 c1, Z12 c2, Z11..Z6 p0..p5, Z5 1,
// Z4 lo, Z3 hi.
#define EXPZ(X, T, N, S) \
	VSUBPS       Z15, X, X \
	VCMPPS       $5, Z4, X, K2 \
	VMAXPS       X, Z4, X \
	VMINPS       X, Z3, X \
	VMULPS       Z14, X, N \
	VRNDSCALEPS  $0, N, N \
	VFNMADD231PS Z13, N, X \
	VFNMADD231PS Z12, N, X \
	VMOVAPS      Z11, T \
	VFMADD213PS  Z10, X, T \
	VFMADD213PS  Z9, X, T \
	VFMADD213PS  Z8, X, T \
	VFMADD213PS  Z7, X, T \
	VFMADD213PS  Z6, X, T \
	VMULPS       X, X, S \
	VFMADD213PS  X, S, T \
	VADDPS       Z5, T, T \
	VCVTPS2DQ    N, N \
	VPSLLD       $23, N, N \
	VPADDD       N, T, X \
	VMOVAPS.Z    X, K2, X

#define LOADCONSTZ \
	VBROADCASTSS expc<>+0(SB), Z14 \
	VBROADCASTSS expc<>+32(SB), Z13 \
	VBROADCASTSS expc<>+64(SB), Z12 \
	VBROADCASTSS expc<>+96(SB), Z11 \
	VBROADCASTSS expc<>+128(SB), Z10 \
	VBROADCASTSS expc<>+160(SB), Z9 \
	VBROADCASTSS expc<>+192(SB), Z8 \
	VBROADCASTSS expc<>+224(SB), Z7 \
	VBROADCASTSS expc<>+256(SB), Z6 \
	VBROADCASTSS expc<>+288(SB), Z5 \
	VBROADCASTSS expc<>+320(SB), Z4 \
	VBROADCASTSS expc<>+352(SB), Z3

// func expSumAVX512(e, x []float32, m float32) float64
TEXT ·expSumAVX512(SB), NOSPLIT, $0-64
	MOVQ e_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	VBROADCASTSS m+48(FP), Z15
	LOADCONSTZ
	VXORPD Z20, Z20, Z20
	VXORPD Z21, Z21, Z21

eloop:
	CMPQ CX, $16
	JB   etail
	VMOVUPS (SI), Z0
	EXPZ(Z0, Z1, Z2, Z16)
	VMOVUPS Z0, (DI)
	VCVTPS2PD Y0, Z16
	VADDPD Z16, Z20, Z20
	VEXTRACTF64X4 $1, Z0, Y17
	VCVTPS2PD Y17, Z17
	VADDPD Z17, Z21, Z21
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  eloop

etail:
	TESTQ CX, CX
	JZ    esum
	MOVL  $1, AX
	SHLL  CX, AX
	DECL  AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	EXPZ(Z0, Z1, Z2, Z16)
	VMOVAPS.Z Z0, K1, Z0
	VMOVUPS Z0, K1, (DI)
	VCVTPS2PD Y0, Z16
	VADDPD Z16, Z20, Z20
	VEXTRACTF64X4 $1, Z0, Y17
	VCVTPS2PD Y17, Z17
	VADDPD Z17, Z21, Z21

esum:
	VADDPD Z21, Z20, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPD Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD X1, X0, X0
	VPERMILPD $1, X0, X1
	VADDSD X1, X0, X0
	VMOVSD X0, ret+56(FP)
	VZEROUPPER
	RET

// func maxAVX512(x []float32) float32
TEXT ·maxAVX512(SB), NOSPLIT, $0-28
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	VBROADCASTSS expc<>+384(SB), Z0
	VMOVAPS Z0, Z2
	KXORW K3, K3, K3

mloop:
	CMPQ CX, $16
	JB   mtail
	VMOVUPS (SI), Z1
	VCMPPS $3, Z1, Z1, K2
	KORW K2, K3, K3
	VMAXPS Z1, Z0, Z0
	ADDQ $64, SI
	SUBQ $16, CX
	JMP  mloop

mtail:
	TESTQ CX, CX
	JZ    mreduce
	MOVL  $1, AX
	SHLL  CX, AX
	DECL  AX
	KMOVW AX, K1
	VMOVAPS Z2, Z1
	VMOVUPS (SI), K1, Z1
	VCMPPS $3, Z1, Z1, K2
	KORW K2, K3, K3
	VMAXPS Z1, Z0, Z0

mreduce:
	VEXTRACTF64X4 $1, Z0, Y1
	VMAXPS Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0x4e, X0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0xb1, X0, X1
	VMAXPS X1, X0, X0
	KORTESTW K3, K3
	JZ   mdone
	MOVL $0x7fc00000, AX
	MOVL AX, ret+24(FP)
	VZEROUPPER
	RET

mdone:
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func axpbAVX512(dst, src []float32, a, b float32)
TEXT ·axpbAVX512(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	VBROADCASTSS a+48(FP), Z1
	VBROADCASTSS b+52(FP), Z2

aloop:
	CMPQ CX, $16
	JB   atail
	VMOVUPS (SI), Z0
	VFMADD213PS Z2, Z1, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  aloop

atail:
	TESTQ CX, CX
	JZ    adone
	MOVL  $1, AX
	SHLL  CX, AX
	DECL  AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	VFMADD213PS Z2, Z1, Z0
	VMOVUPS Z0, K1, (DI)

adone:
	VZEROUPPER
	RET

// EXPY is EXPZ for AVX2 (Y registers, constants from memory): exp(X - Y15)
// in X, temporaries T, N, S.
#define EXPY(X, T, N, S, M) \
	VSUBPS       Y15, X, X \
	VCMPPS       $5, Y14, X, M \
	VMAXPS       X, Y14, X \
	VMINPS       X, Y13, X \
	VMULPS       expc<>+0(SB), X, N \
	VROUNDPS     $0, N, N \
	VFNMADD231PS expc<>+32(SB), N, X \
	VFNMADD231PS expc<>+64(SB), N, X \
	VMOVUPS      expc<>+96(SB), T \
	VFMADD213PS  expc<>+128(SB), X, T \
	VFMADD213PS  expc<>+160(SB), X, T \
	VFMADD213PS  expc<>+192(SB), X, T \
	VFMADD213PS  expc<>+224(SB), X, T \
	VFMADD213PS  expc<>+256(SB), X, T \
	VMULPS       X, X, S \
	VFMADD213PS  X, S, T \
	VADDPS       expc<>+288(SB), T, T \
	VCVTPS2DQ    N, N \
	VPSLLD       $23, N, N \
	VPADDD       N, T, X \
	VANDPS       M, X, X

// func expSumAVX2(e, x []float32, m float32) float64
// len(x) must be a multiple of 8.
TEXT ·expSumAVX2(SB), NOSPLIT, $0-64
	MOVQ e_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	VBROADCASTSS m+48(FP), Y15
	VMOVUPS expc<>+320(SB), Y14
	VMOVUPS expc<>+352(SB), Y13
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11

e2loop:
	CMPQ CX, $8
	JB   e2sum
	VMOVUPS (SI), Y0
	EXPY(Y0, Y1, Y2, Y3, Y6)
	VMOVUPS Y0, (DI)
	VCVTPS2PD X0, Y4
	VADDPD Y4, Y10, Y10
	VEXTRACTF128 $1, Y0, X5
	VCVTPS2PD X5, Y5
	VADDPD Y5, Y11, Y11
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  e2loop

e2sum:
	VADDPD Y11, Y10, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD X1, X0, X0
	VPERMILPD $1, X0, X1
	VADDSD X1, X0, X0
	VMOVSD X0, ret+56(FP)
	VZEROUPPER
	RET

// func maxAVX2(x []float32) (m float32, nan bool)
// len(x) must be a multiple of 8 and at least 8.
TEXT ·maxAVX2(SB), NOSPLIT, $0-29
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	VMOVUPS expc<>+384(SB), Y0
	VXORPS Y3, Y3, Y3

m2loop:
	CMPQ CX, $8
	JB   m2reduce
	VMOVUPS (SI), Y1
	VCMPPS $3, Y1, Y1, Y2
	VORPS Y2, Y3, Y3
	VMAXPS Y1, Y0, Y0
	ADDQ $32, SI
	SUBQ $8, CX
	JMP  m2loop

m2reduce:
	VEXTRACTF128 $1, Y0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0x4e, X0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0xb1, X0, X1
	VMAXPS X1, X0, X0
	VMOVSS X0, m+24(FP)
	VMOVMSKPS Y3, AX
	TESTL AX, AX
	SETNE nan+28(FP)
	VZEROUPPER
	RET

// func axpbAVX2(dst, src []float32, a, b float32)
// len(src) must be a multiple of 8.
TEXT ·axpbAVX2(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	VBROADCASTSS a+48(FP), Y1
	VBROADCASTSS b+52(FP), Y2

a2loop:
	CMPQ CX, $8
	JB   a2done
	VMOVUPS (SI), Y0
	VFMADD213PS Y2, Y1, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  a2loop

a2done:
	VZEROUPPER
	RET
