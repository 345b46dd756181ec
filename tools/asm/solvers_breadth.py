#!/usr/bin/python3
"""Generates the AVX2 and AVX-512 kernels of Adadelta, NAdam and RAdam: solvers/breadth_amd64.s and
solvers/breadth_asm_amd64.go (declarations), with tools/asm/solvers.py's emitter and conventions
(slices' first elements, n, a coefficient block *[K]T broadcast into registers 0..K-1; {S} is S/D
for float32/float64, {R} the register prefix Y/Z). Each body does the IEEE operations of the Go loop
it mirrors (adadeltaStep, adamaxStep, nadamStep, radamStep), in the same order: VFMADD231 where the loop calls
fma.

Run: python3 tools/asm/solvers_breadth.py solvers && gofmt -w solvers/breadth_asm_amd64.go
(from the repository root)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import solvers as base  # noqa: E402  (tools/asm/solvers.py: kernel, emit, KERNELS, ISAS)

base.kernel("adadelta", ["pp", "gp", "sp", "ap"], 6, """
	VMOVUP{S} (DI)(BX*1), {R}10
	VMULP{S} (SI)(BX*1), {R}0, {R}11
	VFMADD231P{S} {R}10, {R}1, {R}11
	VMULP{S} (R8)(BX*1), {R}2, {R}12
	VMULP{S} {R}11, {R}3, {R}13
	VFMADD231P{S} {R}13, {R}11, {R}12
	VMOVUP{S} {R}12, (R8)(BX*1)
	VADDP{S} {R}4, {R}12, {R}12
	VSQRTP{S} {R}12, {R}12
	VMOVUP{S} (R9)(BX*1), {R}13
	VADDP{S} {R}4, {R}13, {R}14
	VSQRTP{S} {R}14, {R}14
	VDIVP{S} {R}12, {R}14, {R}14
	VMULP{S} {R}11, {R}14, {R}14
	VMULP{S} {R}2, {R}13, {R}13
	VMULP{S} {R}14, {R}3, {R}15
	VFMADD231P{S} {R}15, {R}14, {R}13
	VMOVUP{S} {R}13, (R9)(BX*1)
	VFMADD231P{S} {R}14, {R}5, {R}10
	VMOVUP{S} {R}10, (DI)(BX*1)
""", """d = fma(θ, λ, g·gs); s = fma((1−ρ)·d, d, s·ρ); Δ = (sqrt(a + ε)/sqrt(s + ε))·d;
// a = fma((1−ρ)·Δ, Δ, a·ρ); θ = fma(Δ, −lr, θ)""")

base.kernel("nadam", ["pp", "gp", "mp", "vp"], 10, """
	VMOVUP{S} (DI)(BX*1), {R}10
	VMULP{S} (SI)(BX*1), {R}0, {R}11
	VFMADD231P{S} {R}10, {R}1, {R}11
	VMULP{S} (R8)(BX*1), {R}2, {R}12
	VFMADD231P{S} {R}11, {R}3, {R}12
	VMOVUP{S} {R}12, (R8)(BX*1)
	VMULP{S} (R9)(BX*1), {R}4, {R}13
	VMULP{S} {R}11, {R}5, {R}14
	VFMADD231P{S} {R}14, {R}11, {R}13
	VMOVUP{S} {R}13, (R9)(BX*1)
	VDIVP{S} {R}6, {R}13, {R}13
	VSQRTP{S} {R}13, {R}13
	VADDP{S} {R}7, {R}13, {R}13
	VMULP{S} {R}11, {R}8, {R}11
	VDIVP{S} {R}13, {R}11, {R}11
	VADDP{S} {R}11, {R}10, {R}10
	VMULP{S} {R}12, {R}9, {R}12
	VDIVP{S} {R}13, {R}12, {R}12
	VADDP{S} {R}12, {R}10, {R}10
	VMOVUP{S} {R}10, (DI)(BX*1)
""", """d = fma(θ, λ, g·gs); m = fma(d, 1−β1, m·β1); v = fma((1−β2)·d, d, v·β2);
// r = sqrt(v/bc2) + ε; θ = θ + (cg·d)/r; θ = θ + (cm·m)/r""")

radam_head = """
	VMOVUP{S} (DI)(BX*1), {R}12
	VMULP{S} (SI)(BX*1), {R}0, {R}13
	VFMADD231P{S} {R}12, {R}1, {R}13
	VMULP{S} (R8)(BX*1), {R}2, {R}14
	VFMADD231P{S} {R}13, {R}3, {R}14
	VMOVUP{S} {R}14, (R8)(BX*1)
	VMULP{S} (R9)(BX*1), {R}4, {R}15
	VMULP{S} {R}13, {R}5, {R}14
	VFMADD231P{S} {R}14, {R}13, {R}15
	VMOVUP{S} {R}15, (R9)(BX*1)
	VMOVUP{S} (R8)(BX*1), {R}14
	VDIVP{S} {R}6, {R}14, {R}14
	VMULP{S} {R}7, {R}14, {R}14
"""
base.kernel("radamRect", ["pp", "gp", "mp", "vp"], 12, radam_head + """
	VSQRTP{S} {R}15, {R}15
	VADDP{S} {R}8, {R}15, {R}15
	VDIVP{S} {R}15, {R}11, {R}13
	VMULP{S} {R}9, {R}13, {R}13
	VMULP{S} {R}13, {R}14, {R}14
	VMULP{S} {R}10, {R}14, {R}14
	VSUBP{S} {R}14, {R}12, {R}12
	VMOVUP{S} {R}12, (DI)(BX*1)
""", """d = fma(θ, λ, g·gs); m = fma(d, 1−β1, m·β1); v = fma((1−β2)·d, d, v·β2);
// θ = θ − (((m/bc1)·ρ)·((1/(sqrt(v) + ε))·sqrt(bc2)))·r""")
base.kernel("radamPlain", ["pp", "gp", "mp", "vp"], 12, radam_head + """
	VSUBP{S} {R}14, {R}12, {R}12
	VMOVUP{S} {R}12, (DI)(BX*1)
""", """radam before rectification: θ = θ − (m/bc1)·ρ""")

# Adamax: u = max(β2·u, |d| + ε) with torch.amax's NaN propagation: VMAXP gives (a > b ? a : b),
# NaN → b; the lanes where a = β2·u is NaN then take a (a compare and a blend, which AVX2 and
# AVX-512 spell differently: two bodies). |d| clears the sign bit (coefficient 7 is the mask).
adamax_head = """
	VMOVUP{S} (DI)(BX*1), {R}10
	VMULP{S} (SI)(BX*1), {R}0, {R}11
	VFMADD231P{S} {R}10, {R}1, {R}11
	VMULP{S} (R8)(BX*1), {R}2, {R}12
	VFMADD231P{S} {R}11, {R}3, {R}12
	VMOVUP{S} {R}12, (R8)(BX*1)
	VMULP{S} (R9)(BX*1), {R}4, {R}13
"""
adamax_tail = """
	VMOVUP{S} {R}15, (R9)(BX*1)
	VMULP{S} {R}12, {R}6, {R}12
	VDIVP{S} {R}15, {R}12, {R}12
	VADDP{S} {R}12, {R}10, {R}10
	VMOVUP{S} {R}10, (DI)(BX*1)
"""
ADAMAX = {
    "AVX2": adamax_head + """
	VANDP{S} {R}7, {R}11, {R}14
	VADDP{S} {R}5, {R}14, {R}14
	VMAXP{S} {R}14, {R}13, {R}15
	VCMPP{S} $3, {R}13, {R}13, {R}8
	VBLENDVP{S} {R}8, {R}13, {R}15, {R}15
""" + adamax_tail,
    "AVX512": adamax_head + """
	VPANDQ {R}7, {R}11, {R}14
	VADDP{S} {R}5, {R}14, {R}14
	VMAXP{S} {R}14, {R}13, {R}15
	VCMPP{S} $3, {R}13, {R}13, K1
	VMOVAP{S} {R}13, K1, {R}15
""" + adamax_tail,
}
ADAMAX_DOC = """d = fma(θ, λ, g·gs); m = fma(d, 1−β1, m·β1); u = max(u·β2, |d| + ε) (NaN if either is);
// θ = θ + (−ρ/bc1·m)/u"""
ADAMAX = {isa: body.replace("\n\n", "\n") for isa, body in ADAMAX.items()}
base.kernel("adamax", ["pp", "gp", "mp", "up"], 8, ADAMAX["AVX2"], ADAMAX_DOC)

NAMES = ["adadelta", "nadam", "radamRect", "radamPlain", "adamax"]


def go_decls():
    out = ["//go:build amd64 && !purego", "", "// Code generated by tools/asm/solvers_breadth.py; DO NOT EDIT.", "",
           "package solvers", ""]
    for k in NAMES:
        ptrs, ncoef, body, doc = base.KERNELS[k]
        for isa in base.ISAS:
            for dt, T in ((32, "float32"), (64, "float64")):
                out.append("// %s%sF%d is in breadth_amd64.s: %s" % (k, isa, dt, doc.replace("\n// ", " ")))
                out.append("//")
                out.append("//go:noescape")
                out.append("func %s%sF%d(%s *%s, n int, c *[%d]%s)" % (k, isa, dt, ", ".join(ptrs), T, ncoef, T))
                out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    parts = ["//go:build amd64 && !purego\n", "// Code generated by tools/asm/solvers_breadth.py; DO NOT EDIT.\n",
             '#include "textflag.h"\n']
    for k in NAMES:
        for isa in base.ISAS:
            if k == "adamax":
                base.kernel("adamax", ["pp", "gp", "mp", "up"], 8, ADAMAX[isa], ADAMAX_DOC)
            for dt in (32, 64):
                parts.append(base.emit(k, isa, dt))
    open(sys.argv[1] + "/breadth_amd64.s", "w").write("\n".join(parts))
    open(sys.argv[1] + "/breadth_asm_amd64.go", "w").write(go_decls())
