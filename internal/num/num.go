// Package num holds the numeric helpers every Stheno package shares: the
// Float constraint, typed access to a tensor's backing data, reusable
// scratch buffers and shape comparison.
package num

import (
	"fmt"
	"math"
	"slices"

	"gorgonia.org/tensor"
)

// Float is the element type of every float kernel: float32 or float64.
type Float interface{ ~float32 | ~float64 }

// Dtype returns the tensor dtype of T.
func Dtype[T Float]() tensor.Dtype {
	var z T
	if _, ok := any(z).(float32); ok {
		return tensor.Float32
	}
	return tensor.Float64
}

// Is32 reports whether T is float32.
func Is32[T Float]() bool {
	var z T
	_, ok := any(z).(float32)
	return ok
}

// Data returns the backing slice of v as []T, or an error naming what that
// holds instead. v is anything with a Data() method (a tensor.Tensor or a
// gorgonia.Value); scalars are not accepted.
func Data[T Float](v interface{ Data() any }) ([]T, error) {
	if d, ok := v.Data().([]T); ok {
		return d, nil
	}
	return nil, fmt.Errorf("data is %T, want []%v", v.Data(), Dtype[T]())
}

// Grow returns buf resliced to n elements, reallocating only when its
// capacity is short. The contents are not cleared.
func Grow[T any](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	return buf[:n]
}

// Zeros returns buf resliced to n elements, all zero.
func Zeros[T any](buf []T, n int) []T {
	buf = Grow(buf, n)
	clear(buf)
	return buf
}

// SameShape reports whether a and b have the same dimensions (a scalar
// shape and an empty one are the same).
func SameShape(a, b tensor.Shape) bool { return slices.Equal(a, b) }

// Elems returns the number of elements of a shape and false when a
// dimension is negative or the product overflows an int.
func Elems(s tensor.Shape) (int, bool) {
	n := 1
	for _, d := range s {
		if d < 0 {
			return 0, false
		}
		if d != 0 && n > math.MaxInt/d {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// Scalar returns the one float32 or float64 element of v (a scalar, or a
// tensor of one element) as a float64; ok is false for any other dtype or
// size.
func Scalar(v interface{ Data() any }) (x float64, ok bool) {
	switch d := v.Data().(type) {
	case float64:
		return d, true
	case float32:
		return float64(d), true
	case []float64:
		if len(d) == 1 {
			return d[0], true
		}
	case []float32:
		if len(d) == 1 {
			return float64(d[0]), true
		}
	}
	return 0, false
}
