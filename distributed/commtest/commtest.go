// Package commtest is a conformance suite for distributed.Communicator implementations: the
// checks Stheno runs on its own (Local, NewGroup, Open MPI), for anyone writing another one.
package commtest

import (
	"fmt"

	"github.com/stheno-ml/stheno/distributed"
)

// Run checks that c behaves as a distributed.Communicator must, and returns the first failure.
// Every rank of the job calls it at the same time (goroutine ranks of distributed.NewGroup each
// from their own goroutine, MPI ranks from their process). It checks AllReduceSum (float32 and
// float64, the same sum on every rank), Broadcast from the last rank, AllGather in rank order,
// Barrier, and that a bad root, a receive buffer of the wrong length and mixed float types are
// errors on every rank.
func Run(c distributed.Communicator) error {
	r, n := c.Rank(), c.Size()
	fail := func(format string, args ...any) error {
		return fmt.Errorf("rank %d of %d: "+format, append([]any{r, n}, args...)...)
	}

	// AllReduceSum, both types: rank r contributes (r+1)·(i+1), the sum is n(n+1)/2·(i+1).
	x32 := []float32{1, 2, 3}
	x64 := []float64{1, 2, 3, 4}
	for i := range x32 {
		x32[i] *= float32(r + 1)
	}
	for i := range x64 {
		x64[i] *= float64(r + 1)
	}
	if err := c.AllReduceSum(distributed.Buf(x32)); err != nil {
		return err
	}
	if err := c.AllReduceSum(distributed.Buf(x64)); err != nil {
		return err
	}
	tri := float64(n*(n+1)) / 2
	for i, v := range x32 {
		if float64(v) != tri*float64(i+1) {
			return fail("AllReduceSum float32 %v", x32)
		}
	}
	for i, v := range x64 {
		if v != tri*float64(i+1) {
			return fail("AllReduceSum float64 %v", x64)
		}
	}
	// Broadcast from the last rank.
	b := []float64{float64(r), -1}
	if err := c.Broadcast(distributed.Buf(b), n-1); err != nil {
		return err
	}
	if b[0] != float64(n-1) || b[1] != -1 {
		return fail("Broadcast from %d: %v", n-1, b)
	}
	// AllGather.
	all := make([]float32, 2*n)
	if err := c.AllGather(distributed.Buf([]float32{float32(r), 10 * float32(r)}), distributed.Buf(all)); err != nil {
		return err
	}
	for q := range n {
		if all[2*q] != float32(q) || all[2*q+1] != 10*float32(q) {
			return fail("AllGather %v", all)
		}
	}
	if err := c.Barrier(); err != nil {
		return err
	}
	// Errors every rank sees alike.
	if err := c.Broadcast(distributed.Buf(b), n); err == nil {
		return fail("Broadcast from root %d: no error", n)
	}
	if err := c.AllGather(distributed.Buf(b), distributed.Buf(make([]float64, 2*n+1))); err == nil {
		return fail("AllGather into a buffer of the wrong length: no error")
	}
	if err := c.AllGather(distributed.Buf(b), distributed.Buf(make([]float32, 2*n))); err == nil {
		return fail("AllGather float64 into float32: no error")
	}
	return nil
}
