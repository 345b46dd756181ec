//go:build !amd64 || purego

package layers

// axpyRows32, dotRows32, relu32, reluGrad32, maxPool2x2Plane32 and copyRows32 are vec_amd64.go's;
// without them axpyRows, dotRows, reluF32, reluGradF32, maxPool2x2Planes and copyRows run their
// Go loops.
func axpyRows32(float32, []float32, int, []float32, int, int, int) bool { return false }

func dotRows32([]float32, int, []float32, int, int, int) (float32, bool) { return 0, false }

func relu32([]float32, []float32) int { return 0 }

func reluGrad32([]float32, []float32, []float32) int { return 0 }

func maxPool2x2Plane32(convGeom, []float32, []int32, []float32) bool { return false }

func copyRows32([]float32, int, []float32, int, int, int) bool { return false }
