//go:build !amd64 || purego

package layers

// axpyRows32 and dotRows32 are vec_amd64.go's; without them axpyRows and dotRows run their Go
// loops.
func axpyRows32(float32, []float32, int, []float32, int, int, int) bool { return false }

func dotRows32([]float32, int, []float32, int, int, int) (float32, bool) { return 0, false }
