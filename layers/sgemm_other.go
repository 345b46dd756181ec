//go:build !amd64 || purego

package layers

// hasSgemmKernel is false where there is no assembly kernel.
var hasSgemmKernel = false

func sgemm4x16(k int, a *float32, sa, sl int, b *float32, ldb int, c *float32, ldc int) {
	panic("layers: sgemm4x16 without assembly kernel")
}
