//go:build unix

package gemm

import (
	"syscall"
	"time"
)

// cpuTime is the process's user+system CPU time: benchmarks report it next
// to wall time because the machines they run on are shared.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
