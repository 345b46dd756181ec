//go:build !unix

package cputime

import (
	"errors"
	"time"
)

// Process returns an error: this system has no getrusage.
func Process() (time.Duration, error) {
	return 0, errors.New("cputime: process CPU time is not available on this system")
}
