//go:build !amd64 || purego

package layers

// axpy32 and dot32 are vec_amd64.go's; without them the Go loops of axpy and dot do all the
// work.
func axpy32(float32, []float32, []float32) int { return 0 }

func dot32([]float32, []float32) (float32, int) { return 0, 0 }
