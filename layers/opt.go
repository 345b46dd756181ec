package layers

import "fmt"

// Opt is a layer setting whose Go zero value cannot stand for every value PyTorch accepts: its
// zero value is "unset" and means PyTorch's default for that argument, and Set gives it any
// value, zero included. So Dropout{} drops with PyTorch's p=0.5 while Dropout{P: Set(0.0)} is
// the identity, and LeakyReLU{Slope: Set(0.0)} is a ReLU rather than PyTorch's default 0.01.
type Opt[T any] struct {
	v  T
	ok bool
}

// Set returns the setting v, explicitly chosen.
func Set[T any](v T) Opt[T] { return Opt[T]{v: v, ok: true} }

// Get returns the value and whether it was set.
func (o Opt[T]) Get() (T, bool) { return o.v, o.ok }

// Or returns the value if it was set and def (the default) otherwise.
func (o Opt[T]) Or(def T) T {
	if o.ok {
		return o.v
	}
	return def
}

// String returns the value, or "unset".
func (o Opt[T]) String() string {
	if !o.ok {
		return "unset"
	}
	return fmt.Sprint(o.v)
}
