//go:build !purego

package layers

import "golang.org/x/sys/cpu"

// hasSgemmKernel reports whether the AVX2+FMA float32 kernel can run on this CPU.
var hasSgemmKernel = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// sgemm4x16 is implemented in sgemm_amd64.s.
//
//go:noescape
func sgemm4x16(k int, a *float32, sa, sl int, b *float32, ldb int, c *float32, ldc int)
