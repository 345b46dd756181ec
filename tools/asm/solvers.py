#!/usr/bin/python3
"""Generates the AVX2 kernels of Stheno's solvers: solvers/{sgd,adam,rmsprop}_amd64.s.

Each kernel takes its slices' first elements, n and a coefficient block *[K]T (the array() of the
kernel's coefficient struct, broadcast into registers 0..K-1) and updates the first n&^(lanes-1)
elements with the same operations, in the same order, as the generic Go loop it mirrors
(sgdStep, adamStep, amsgradStep, rmspropStep, adagradStep): VFMADD231 wherever the Go loop calls
fma, so that results are bit-identical to it. Body lines use {S} for S/D (float32/float64) and
{R} for the register prefix (Y for AVX2, Z for AVX-512).

Also writes solvers/asm_amd64.go: the Go declarations and, per instruction set, the table of
kernels (kernelsAVX2, kernelsAVX512) that kernels_amd64.go chooses from at start-up.

Run: python3 tools/asm/solvers.py solvers && gofmt -w solvers/asm_amd64.go  (from the repository root)
"""
import sys
KERNELS = {}
def kernel(name, ptrs, ncoef, body, doc):
    KERNELS[name] = (ptrs, ncoef, body, doc)


# Pieces shared by several kernels (each a run of body lines).
GRAD = """
	VMOVUP{S} (DI)(BX*1), {R}10
	VMULP{S} (SI)(BX*1), {R}0, {R}11
	VFMADD231P{S} {R}10, {R}1, {R}11
"""  # d = fma(θ, λ, g·gs): θ in {R}10, d in {R}11
SGD_BUF = """
	VMULP{S} (R8)(BX*1), {R}2, {R}13
	VFMADD231P{S} {R}11, {R}3, {R}13
	VMOVUP{S} {R}13, (R8)(BX*1)
"""[1:]  # b = fma(d, 1−τ, b·μ) in {R}13
RMS_SQ = """
	VMULP{S} (R8)(BX*1), {R}2, {R}12
	VMULP{S} {R}11, {R}3, {R}13
	VFMADD231P{S} {R}11, {R}13, {R}12
	VMOVUP{S} {R}12, (R8)(BX*1)
"""[1:]  # s = fma(d·(1−α), d, s·α) in {R}12
RMS_R = """
	VSQRTP{S} {R}12, {R}12
	VADDP{S} {R}4, {R}12, {R}12
"""[1:]  # r = sqrt(s) + ε
RMS_PLAIN = """
	VMULP{S} {R}11, {R}6, {R}11
	VDIVP{S} {R}12, {R}11, {R}11
	VADDP{S} {R}11, {R}10, {R}10
	VMOVUP{S} {R}10, (DI)(BX*1)
"""  # θ = θ + (−ρ·d)/r


def rms_mom(reg):
    """RMSprop's momentum tail, the buffer b at (reg): b = b·μ + d/r; θ = fma(b, −ρ, θ)."""
    return f"""
	VDIVP{{S}} {{R}}12, {{R}}11, {{R}}11
	VMULP{{S}} ({reg})(BX*1), {{R}}5, {{R}}13
	VADDP{{S}} {{R}}11, {{R}}13, {{R}}13
	VMOVUP{{S}} {{R}}13, ({reg})(BX*1)
	VFMADD231P{{S}} {{R}}13, {{R}}6, {{R}}10
	VMOVUP{{S}} {{R}}10, (DI)(BX*1)
"""

kernel("sgdPlain", ["pp","gp"], 5, GRAD + """\
	VFMADD231P{S} {R}11, {R}4, {R}10
	VMOVUP{S} {R}10, (DI)(BX*1)
""", """d = fma(θ, λ, g·gs); θ = fma(d, −ρ, θ)""")

kernel("sgdNesterov", ["pp","gp","bp"], 5, GRAD + SGD_BUF + """\
	VFMADD231P{S} {R}13, {R}2, {R}11
	VFMADD231P{S} {R}11, {R}4, {R}10
	VMOVUP{S} {R}10, (DI)(BX*1)
""", """d = fma(θ, λ, g·gs); b = fma(d, 1−τ, b·μ); θ = fma(fma(b, μ, d), −ρ, θ)""")

kernel("sgdMom", ["pp","gp","bp"], 5, GRAD + SGD_BUF + """\
	VFMADD231P{S} {R}13, {R}4, {R}10
	VMOVUP{S} {R}10, (DI)(BX*1)
""", """d = fma(θ, λ, g·gs); b = fma(d, 1−τ, b·μ); θ = fma(b, −ρ, θ)""")

adam_head = GRAD + """\
	VMULP{S} {R}2, {R}10, {R}10
	VMULP{S} (R8)(BX*1), {R}3, {R}12
	VFMADD231P{S} {R}11, {R}4, {R}12
	VMOVUP{S} {R}12, (R8)(BX*1)
	VMULP{S} (R9)(BX*1), {R}5, {R}13
	VMULP{S} {R}11, {R}6, {R}14
	VFMADD231P{S} {R}11, {R}14, {R}13
	VMOVUP{S} {R}13, (R9)(BX*1)
"""
adam_tail = """
	VDIVP{S} {R}7, {R}13, {R}13
	VADDP{S} {R}8, {R}13, {R}13
	VMULP{S} {R}12, {R}9, {R}12
	VDIVP{S} {R}13, {R}12, {R}12
	VADDP{S} {R}12, {R}10, {R}10
	VMOVUP{S} {R}10, (DI)(BX*1)
"""
kernel("adam", ["pp","gp","mp","vp"], 10, adam_head + """
	VSQRTP{S} {R}13, {R}13
""" + adam_tail, """d = fma(θ, λ, g·gs); θ = θ·decay; m = fma(d, 1−β1, m·β1); v = fma(d·(1−β2), d, v·β2);
// θ = θ + (step·m)/(sqrt(v)/sqrt(bc2) + ε)""")
kernel("amsgrad", ["pp","gp","mp","vp","xp"], 10, adam_head + """
	VMOVUP{S} (R10)(BX*1), {R}14
	VMAXP{S} {R}14, {R}13, {R}14
	VMOVUP{S} {R}14, (R10)(BX*1)
	VSQRTP{S} {R}14, {R}13
""" + adam_tail, """adam with vmax = max(vmax, v) in the denominator""")
rms_head = GRAD + RMS_SQ + RMS_R
kernel("rmsprop", ["pp","gp","sp"], 7, rms_head + RMS_PLAIN, """d = fma(θ, λ, g·gs); s = fma(d·(1−α), d, s·α); r = sqrt(s) + ε; θ = θ + (−ρ·d)/r""")
kernel("rmspropMom", ["pp","gp","sp","bp"], 7, rms_head + rms_mom("R9"), """rmsprop with b = b·μ + d/r; θ = fma(b, −ρ, θ)""")
rms_centered = GRAD + RMS_SQ + """
	VMULP{S} (R9)(BX*1), {R}2, {R}14
	VFMADD231P{S} {R}11, {R}3, {R}14
	VMOVUP{S} {R}14, (R9)(BX*1)
	VFNMADD231P{S} {R}14, {R}14, {R}12
"""[1:] + RMS_R
kernel("rmspropCentered", ["pp","gp","sp","ap"], 7, rms_centered + RMS_PLAIN, """rmsprop centered: a = fma(d, 1−α, a·α); r = sqrt(fma(−a, a, s)) + ε; θ = θ + (−ρ·d)/r""")
kernel("rmspropCenteredMom", ["pp","gp","sp","ap","bp"], 7, rms_centered + rms_mom("R10"), """rmsprop centered with b = b·μ + d/r; θ = fma(b, −ρ, θ)""")
kernel("adagrad", ["pp","gp","sp"], 4, GRAD + """\
	VMOVUP{S} (R8)(BX*1), {R}12
	VFMADD231P{S} {R}11, {R}11, {R}12
	VMOVUP{S} {R}12, (R8)(BX*1)
	VSQRTP{S} {R}12, {R}12
	VADDP{S} {R}2, {R}12, {R}12
	VMULP{S} {R}11, {R}3, {R}11
	VDIVP{S} {R}12, {R}11, {R}11
	VADDP{S} {R}11, {R}10, {R}10
	VMOVUP{S} {R}10, (DI)(BX*1)
""", """d = fma(θ, λ, g·gs); s = fma(d, d, s); θ = θ + (−ρ_t·d)/(sqrt(s) + ε)""")

REGS = ["DI","SI","R8","R9","R10"]
def emit(name, isa, dt):
    ptrs, ncoef, body, doc = KERNELS[name]
    S = "S" if dt == 32 else "D"
    R = "Y" if isa == "AVX2" else "Z"
    T = "float32" if dt == 32 else "float64"
    esz = 4 if dt == 32 else 8
    vbytes = 32 if isa == "AVX2" else 64
    lanes = vbytes // esz
    shift = {4:2, 8:3, 16:4}[lanes]
    fn = f"{name}{isa}F{dt}"
    args = ", ".join(ptrs) + f" *{T}, n int, c *[{ncoef}]{T}"
    framesize = 8*(len(ptrs)+2)
    out = [f"// func {fn}({args})", f"// {doc}", f"TEXT ·{fn}(SB), NOSPLIT, $0-{framesize}"]
    for i,p in enumerate(ptrs):
        out.append(f"\tMOVQ {p}+{8*i}(FP), {REGS[i]}")
    out.append(f"\tMOVQ n+{8*len(ptrs)}(FP), CX")
    out.append(f"\tMOVQ c+{8*len(ptrs)+8}(FP), AX")
    for i in range(ncoef):
        out.append(f"\tVBROADCASTS{S} {esz*i}(AX), {R}{i}")
    out.append("\tXORQ BX, BX")
    out.append(f"\tSHRQ ${shift}, CX")
    out.append(f"\tJZ {fn}_done")
    out.append(f"{fn}_loop:")
    out += [l for l in body.replace("{S}", S).replace("{R}", R).strip("\n").split("\n")]
    out.append(f"\tADDQ ${vbytes}, BX")
    out.append("\tDECQ CX")
    out.append(f"\tJNZ {fn}_loop")
    out.append(f"{fn}_done:")
    out.append("\tVZEROUPPER")
    out.append("\tRET")
    return "\n".join(out) + "\n"

files = {"sgd_amd64.s": ["sgdPlain", "sgdMom", "sgdNesterov"], "adam_amd64.s": ["adam", "amsgrad"],
         "rmsprop_amd64.s": ["rmsprop", "rmspropMom", "rmspropCentered", "rmspropCenteredMom", "adagrad"]}
ISAS = ["AVX2", "AVX512"]
WIDTH = {"AVX2": 32, "AVX512": 64}

# vecKernels fields and how their adapters (kernels_amd64.go) take the assembly.
TABLE = [("sgdPlain", "sgdPlainVec", ["sgdPlain"]), ("sgdMom", "sgdVec", ["sgdMom"]),
         ("sgdNesterov", "sgdVec", ["sgdNesterov"]), ("adam", "adamVec", ["adam"]),
         ("amsgrad", "amsgradVec", ["amsgrad"]),
         ("rmsprop", "rmspropVec", ["rmsprop", "rmspropMom", "rmspropCentered", "rmspropCenteredMom"]),
         ("adagrad", "adagradVec", ["adagrad"])]


def go_decls():
    out = ["//go:build amd64 && !purego", "", "// Code generated by tools/asm/solvers.py; DO NOT EDIT.", "", "package solvers", ""]
    for isa in ISAS:
        out.append("// kernels%s returns the %s kernels (%d-byte vectors)." % (isa, isa, WIDTH[isa]))
        out.append("func kernels%s() isaKernels {" % isa)
        out.append("\treturn isaKernels{name: \"%s\"," % isa)
        for dt, T in ((32, "float32"), (64, "float64")):
            out.append("\t\tk%d: vecKernels[%s]{" % (dt, T))
            for field, adapter, ks in TABLE:
                args = ", ".join("%s%sF%d" % (k, isa, dt) for k in ks)
                out.append("\t\t\t%s: %s(%d, %s)," % (field, adapter, WIDTH[isa], args))
            out.append("\t\t},")
        out.append("\t}")
        out.append("}")
        out.append("")
    for f, ks in files.items():
        for k in ks:
            ptrs, ncoef, body, doc = KERNELS[k]
            for isa in ISAS:
                for dt, T in ((32, "float32"), (64, "float64")):
                    out.append("// %s%sF%d is in %s: %s" % (k, isa, dt, f, doc.replace("\n// ", " ")))
                    out.append("//")
                    out.append("//go:noescape")
                    out.append("func %s%sF%d(%s *%s, n int, c *[%d]%s)" % (k, isa, dt, ", ".join(ptrs), T, ncoef, T))
                    out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    for f, ks in files.items():
        parts = ["//go:build amd64 && !purego\n", "// Code generated by tools/asm/solvers.py; DO NOT EDIT.\n", '#include "textflag.h"\n']
        for k in ks:
            for isa in ISAS:
                for dt in (32, 64):
                    parts.append(emit(k, isa, dt))
        open(sys.argv[1] + "/" + f, "w").write("\n".join(parts))
    open(sys.argv[1] + "/asm_amd64.go", "w").write(go_decls())
