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
DATA expc<>+416(SB)/4, $0x80000000
DATA expc<>+420(SB)/4, $0x80000000
DATA expc<>+424(SB)/4, $0x80000000
DATA expc<>+428(SB)/4, $0x80000000
DATA expc<>+432(SB)/4, $0x80000000
DATA expc<>+436(SB)/4, $0x80000000
DATA expc<>+440(SB)/4, $0x80000000
DATA expc<>+444(SB)/4, $0x80000000
DATA expc<>+448(SB)/4, $0x3d70f0f1
DATA expc<>+452(SB)/4, $0x3d70f0f1
DATA expc<>+456(SB)/4, $0x3d70f0f1
DATA expc<>+460(SB)/4, $0x3d70f0f1
DATA expc<>+464(SB)/4, $0x3d70f0f1
DATA expc<>+468(SB)/4, $0x3d70f0f1
DATA expc<>+472(SB)/4, $0x3d70f0f1
DATA expc<>+476(SB)/4, $0x3d70f0f1
DATA expc<>+480(SB)/4, $0x3d888889
DATA expc<>+484(SB)/4, $0x3d888889
DATA expc<>+488(SB)/4, $0x3d888889
DATA expc<>+492(SB)/4, $0x3d888889
DATA expc<>+496(SB)/4, $0x3d888889
DATA expc<>+500(SB)/4, $0x3d888889
DATA expc<>+504(SB)/4, $0x3d888889
DATA expc<>+508(SB)/4, $0x3d888889
DATA expc<>+512(SB)/4, $0x3d9d89d9
DATA expc<>+516(SB)/4, $0x3d9d89d9
DATA expc<>+520(SB)/4, $0x3d9d89d9
DATA expc<>+524(SB)/4, $0x3d9d89d9
DATA expc<>+528(SB)/4, $0x3d9d89d9
DATA expc<>+532(SB)/4, $0x3d9d89d9
DATA expc<>+536(SB)/4, $0x3d9d89d9
DATA expc<>+540(SB)/4, $0x3d9d89d9
DATA expc<>+544(SB)/4, $0x3dba2e8c
DATA expc<>+548(SB)/4, $0x3dba2e8c
DATA expc<>+552(SB)/4, $0x3dba2e8c
DATA expc<>+556(SB)/4, $0x3dba2e8c
DATA expc<>+560(SB)/4, $0x3dba2e8c
DATA expc<>+564(SB)/4, $0x3dba2e8c
DATA expc<>+568(SB)/4, $0x3dba2e8c
DATA expc<>+572(SB)/4, $0x3dba2e8c
DATA expc<>+576(SB)/4, $0x3de38e39
DATA expc<>+580(SB)/4, $0x3de38e39
DATA expc<>+584(SB)/4, $0x3de38e39
DATA expc<>+588(SB)/4, $0x3de38e39
DATA expc<>+592(SB)/4, $0x3de38e39
DATA expc<>+596(SB)/4, $0x3de38e39
DATA expc<>+600(SB)/4, $0x3de38e39
DATA expc<>+604(SB)/4, $0x3de38e39
DATA expc<>+608(SB)/4, $0x3e124925
DATA expc<>+612(SB)/4, $0x3e124925
DATA expc<>+616(SB)/4, $0x3e124925
DATA expc<>+620(SB)/4, $0x3e124925
DATA expc<>+624(SB)/4, $0x3e124925
DATA expc<>+628(SB)/4, $0x3e124925
DATA expc<>+632(SB)/4, $0x3e124925
DATA expc<>+636(SB)/4, $0x3e124925
DATA expc<>+640(SB)/4, $0x3e4ccccd
DATA expc<>+644(SB)/4, $0x3e4ccccd
DATA expc<>+648(SB)/4, $0x3e4ccccd
DATA expc<>+652(SB)/4, $0x3e4ccccd
DATA expc<>+656(SB)/4, $0x3e4ccccd
DATA expc<>+660(SB)/4, $0x3e4ccccd
DATA expc<>+664(SB)/4, $0x3e4ccccd
DATA expc<>+668(SB)/4, $0x3e4ccccd
DATA expc<>+672(SB)/4, $0x3eaaaaab
DATA expc<>+676(SB)/4, $0x3eaaaaab
DATA expc<>+680(SB)/4, $0x3eaaaaab
DATA expc<>+684(SB)/4, $0x3eaaaaab
DATA expc<>+688(SB)/4, $0x3eaaaaab
DATA expc<>+692(SB)/4, $0x3eaaaaab
DATA expc<>+696(SB)/4, $0x3eaaaaab
DATA expc<>+700(SB)/4, $0x3eaaaaab
GLOBL expc<>(SB), RODATA|NOPTR, $704

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

// BCEWithLogits without weights, float32: loss = max(x, 0) - x·y +
// log1p(exp(-|x|)), log1p(e) = 2s(1 + s²/3 + ... + s¹⁶/17), s = e/(2+e)
// (e in [0, 1]: no cancellation), as log1pUnit. Constants as for EXPZ plus
// Z17 the sign bit and Z19..Z26 1/17, 1/15, ..., 1/3; Z15 = 0.
#define LOADLOG1PZ \
	VXORPS       Z15, Z15, Z15 \
	VBROADCASTSS expc<>+416(SB), Z17 \
	VBROADCASTSS expc<>+448(SB), Z19 \
	VBROADCASTSS expc<>+480(SB), Z20 \
	VBROADCASTSS expc<>+512(SB), Z21 \
	VBROADCASTSS expc<>+544(SB), Z22 \
	VBROADCASTSS expc<>+576(SB), Z23 \
	VBROADCASTSS expc<>+608(SB), Z24 \
	VBROADCASTSS expc<>+640(SB), Z25 \
	VBROADCASTSS expc<>+672(SB), Z26

// SOFTPLUSZ: Z0 = x, Z1 = y -> Z31 = the loss; Z2 = exp(-|x|).
#define SOFTPLUSZ \
	VORPS        Z17, Z0, Z2 \
	EXPZ(Z2, Z27, Z28, Z29) \
	VADDPS       Z5, Z2, Z28 \
	VADDPS       Z5, Z28, Z28 \
	VDIVPS       Z28, Z2, Z28 \
	VMULPS       Z28, Z28, Z29 \
	VMOVAPS      Z19, Z30 \
	VFMADD213PS  Z20, Z29, Z30 \
	VFMADD213PS  Z21, Z29, Z30 \
	VFMADD213PS  Z22, Z29, Z30 \
	VFMADD213PS  Z23, Z29, Z30 \
	VFMADD213PS  Z24, Z29, Z30 \
	VFMADD213PS  Z25, Z29, Z30 \
	VFMADD213PS  Z26, Z29, Z30 \
	VFMADD213PS  Z5, Z29, Z30 \
	VADDPS       Z28, Z28, Z28 \
	VMULPS       Z30, Z28, Z30 \
	VXORPS       Z31, Z31, Z31 \
	VMAXPS       Z0, Z31, Z31 \
	VFNMADD231PS Z1, Z0, Z31 \
	VADDPS       Z30, Z31, Z31

// func bceLogitsFwdAVX512(x, y []float32) float64
TEXT ·bceLogitsFwdAVX512(SB), NOSPLIT, $0-56
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ y_base+24(FP), DX
	LOADCONSTZ
	LOADLOG1PZ
	VXORPD Z16, Z16, Z16
	VXORPD Z18, Z18, Z18

bfloop:
	CMPQ CX, $16
	JB   bftail
	VMOVUPS (SI), Z0
	VMOVUPS (DX), Z1
	SOFTPLUSZ
	VCVTPS2PD Y31, Z28
	VADDPD Z28, Z16, Z16
	VEXTRACTF64X4 $1, Z31, Y29
	VCVTPS2PD Y29, Z29
	VADDPD Z29, Z18, Z18
	ADDQ $64, SI
	ADDQ $64, DX
	SUBQ $16, CX
	JMP  bfloop

bftail:
	TESTQ CX, CX
	JZ    bfsum
	MOVL  $1, AX
	SHLL  CX, AX
	DECL  AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DX), K1, Z1
	SOFTPLUSZ
	VMOVAPS.Z Z31, K1, Z31
	VCVTPS2PD Y31, Z28
	VADDPD Z28, Z16, Z16
	VEXTRACTF64X4 $1, Z31, Y29
	VCVTPS2PD Y29, Z29
	VADDPD Z29, Z18, Z18

bfsum:
	VADDPD Z18, Z16, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPD Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD X1, X0, X0
	VPERMILPD $1, X0, X1
	VADDSD X1, X0, X0
	VMOVSD X0, ret+48(FP)
	VZEROUPPER
	RET

// SIGMOIDZ: Z0 = x -> Z29 = sigmoid(x), stably: (x >= 0 ? 1 : e)/(1 + e),
// e = exp(-|x|).
#define SIGMOIDZ \
	VORPS        Z17, Z0, Z2 \
	EXPZ(Z2, Z27, Z28, Z29) \
	VADDPS       Z5, Z2, Z28 \
	VCMPPS       $13, Z15, Z0, K3 \
	VMOVAPS      Z2, Z29 \
	VMOVAPS      Z5, K3, Z29 \
	VDIVPS       Z28, Z29, Z29

// func bceLogitsBwdAVX512(dx, x, y, g []float32, s float32)
// dx = (sigmoid(x) - y)·s·g (g empty: 1).
TEXT ·bceLogitsBwdAVX512(SB), NOSPLIT, $0-100
	MOVQ dx_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	MOVQ y_base+48(FP), DX
	MOVQ g_base+72(FP), R8
	MOVQ g_len+80(FP), R9
	VBROADCASTSS s+96(FP), Z16
	LOADCONSTZ
	LOADLOG1PZ
	VBROADCASTSS expc<>+288(SB), Z18

bbloop:
	CMPQ CX, $16
	JB   bbtail
	VMOVUPS (SI), Z0
	SIGMOIDZ
	VSUBPS (DX), Z29, Z29
	VMULPS Z16, Z29, Z29
	TESTQ R9, R9
	JZ   bbnog
	VMULPS (R8), Z29, Z29
	ADDQ $64, R8

bbnog:
	VMOVUPS Z29, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  bbloop

bbtail:
	TESTQ CX, CX
	JZ    bbdone
	MOVL  $1, AX
	SHLL  CX, AX
	DECL  AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DX), K1, Z1
	SIGMOIDZ
	VSUBPS Z1, Z29, Z29
	VMULPS Z16, Z29, Z29
	VMOVAPS Z18, Z30
	TESTQ R9, R9
	JZ   bbtnog
	VMOVUPS (R8), K1, Z30

bbtnog:
	VMULPS Z30, Z29, Z29
	VMOVUPS Z29, K1, (DI)

bbdone:
	VZEROUPPER
	RET

// The AVX2 versions (no tails: the Go code does them), constants from the
// table; EXPY's registers: Y15 = 0 (m), Y14 lo, Y13 hi.

// SOFTPLUSY: Y4 = x, Y5 = y -> Y9 = the loss; uses Y0-Y3, Y6-Y8.
#define SOFTPLUSY \
	VORPS        expc<>+416(SB), Y4, Y0 \
	EXPY(Y0, Y1, Y2, Y3, Y6) \
	VADDPS       expc<>+288(SB), Y0, Y7 \
	VADDPS       expc<>+288(SB), Y7, Y7 \
	VDIVPS       Y7, Y0, Y7 \
	VMULPS       Y7, Y7, Y8 \
	VMOVUPS      expc<>+448(SB), Y9 \
	VFMADD213PS  expc<>+480(SB), Y8, Y9 \
	VFMADD213PS  expc<>+512(SB), Y8, Y9 \
	VFMADD213PS  expc<>+544(SB), Y8, Y9 \
	VFMADD213PS  expc<>+576(SB), Y8, Y9 \
	VFMADD213PS  expc<>+608(SB), Y8, Y9 \
	VFMADD213PS  expc<>+640(SB), Y8, Y9 \
	VFMADD213PS  expc<>+672(SB), Y8, Y9 \
	VFMADD213PS  expc<>+288(SB), Y8, Y9 \
	VADDPS       Y7, Y7, Y7 \
	VMULPS       Y9, Y7, Y9 \
	VXORPS       Y8, Y8, Y8 \
	VMAXPS       Y4, Y8, Y8 \
	VFNMADD231PS Y5, Y4, Y8 \
	VADDPS       Y8, Y9, Y9

// func bceLogitsFwdAVX2(x, y []float32) float64
TEXT ·bceLogitsFwdAVX2(SB), NOSPLIT, $0-56
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ y_base+24(FP), DX
	VXORPS Y15, Y15, Y15
	VMOVUPS expc<>+320(SB), Y14
	VMOVUPS expc<>+352(SB), Y13
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11

bf2loop:
	CMPQ CX, $8
	JB   bf2sum
	VMOVUPS (SI), Y4
	VMOVUPS (DX), Y5
	SOFTPLUSY
	VCVTPS2PD X9, Y1
	VADDPD Y1, Y10, Y10
	VEXTRACTF128 $1, Y9, X2
	VCVTPS2PD X2, Y2
	VADDPD Y2, Y11, Y11
	ADDQ $32, SI
	ADDQ $32, DX
	SUBQ $8, CX
	JMP  bf2loop

bf2sum:
	VADDPD Y11, Y10, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD X1, X0, X0
	VPERMILPD $1, X0, X1
	VADDSD X1, X0, X0
	VMOVSD X0, ret+48(FP)
	VZEROUPPER
	RET

// func bceLogitsBwdAVX2(dx, x, y, g []float32, s float32)
TEXT ·bceLogitsBwdAVX2(SB), NOSPLIT, $0-100
	MOVQ dx_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	MOVQ y_base+48(FP), DX
	MOVQ g_base+72(FP), R8
	MOVQ g_len+80(FP), R9
	VBROADCASTSS s+96(FP), Y12
	VXORPS Y15, Y15, Y15
	VMOVUPS expc<>+320(SB), Y14
	VMOVUPS expc<>+352(SB), Y13

bb2loop:
	CMPQ CX, $8
	JB   bb2done
	VMOVUPS (SI), Y4
	VORPS   expc<>+416(SB), Y4, Y0
	EXPY(Y0, Y1, Y2, Y3, Y6)
	VADDPS  expc<>+288(SB), Y0, Y7
	VCMPPS  $13, Y15, Y4, Y8
	VBLENDVPS Y8, expc<>+288(SB), Y0, Y9
	VDIVPS  Y7, Y9, Y9
	VSUBPS  (DX), Y9, Y9
	VMULPS  Y12, Y9, Y9
	TESTQ   R9, R9
	JZ      bb2nog
	VMULPS  (R8), Y9, Y9
	ADDQ    $32, R8

bb2nog:
	VMOVUPS Y9, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  bb2loop

bb2done:
	VZEROUPPER
	RET

// func axpyAVX512(dst, x, y []float32, a float32)
// dst = x·a + y
TEXT ·axpyAVX512(SB), NOSPLIT, $0-76
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	MOVQ y_base+48(FP), DX
	VBROADCASTSS a+72(FP), Z1

xloop:
	CMPQ CX, $16
	JB   xtail
	VMOVUPS (SI), Z0
	VFMADD213PS (DX), Z1, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  xloop

xtail:
	TESTQ CX, CX
	JZ    xdone
	MOVL  $1, AX
	SHLL  CX, AX
	DECL  AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DX), K1, Z2
	VFMADD213PS Z2, Z1, Z0
	VMOVUPS Z0, K1, (DI)

xdone:
	VZEROUPPER
	RET

// func mulShiftAVX512(dst, x, y []float32, c float32)
// dst = x·(y + c)
TEXT ·mulShiftAVX512(SB), NOSPLIT, $0-76
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	MOVQ y_base+48(FP), DX
	VBROADCASTSS c+72(FP), Z1

sloop:
	CMPQ CX, $16
	JB   stail
	VADDPS (DX), Z1, Z0
	VMULPS (SI), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  sloop

stail:
	TESTQ CX, CX
	JZ    sdone
	MOVL  $1, AX
	SHLL  CX, AX
	DECL  AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z2
	VMOVUPS.Z (DX), K1, Z0
	VADDPS Z1, Z0, Z0
	VMULPS Z2, Z0, Z0
	VMOVUPS Z0, K1, (DI)

sdone:
	VZEROUPPER
	RET

// func axpyAVX2(dst, x, y []float32, a float32)
// len(x) must be a multiple of 8.
TEXT ·axpyAVX2(SB), NOSPLIT, $0-76
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	MOVQ y_base+48(FP), DX
	VBROADCASTSS a+72(FP), Y1

x2loop:
	CMPQ CX, $8
	JB   x2done
	VMOVUPS (SI), Y0
	VFMADD213PS (DX), Y1, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  x2loop

x2done:
	VZEROUPPER
	RET

// func mulShiftAVX2(dst, x, y []float32, c float32)
// len(x) must be a multiple of 8.
TEXT ·mulShiftAVX2(SB), NOSPLIT, $0-76
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	MOVQ y_base+48(FP), DX
	VBROADCASTSS c+72(FP), Y1

s2loop:
	CMPQ CX, $8
	JB   s2done
	VADDPS (DX), Y1, Y0
	VMULPS (SI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  s2loop

s2done:
	VZEROUPPER
	RET
