//go:build !amd64 || purego

package solvers

// Without assembly (other architectures, or the purego build tag) every
// update runs the generic Go loops: isas, vec32 and vec64 stay empty.
