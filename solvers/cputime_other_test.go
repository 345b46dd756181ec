//go:build !unix

package solvers

// cpuTime is unavailable here: benchmarks report 0 CPU time.
func cpuTime() int64 { return 0 }
