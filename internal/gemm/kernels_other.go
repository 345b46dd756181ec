//go:build !amd64 || purego

package gemm

func init() { best32, best64 = available32[0], available64[0] }
