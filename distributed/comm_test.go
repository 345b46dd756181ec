package distributed

import (
	"slices"
	"sync"
	"testing"
)

// collectives runs the Communicator conformance checks on c (every rank of a job calls it) and
// returns the first failure.
func collectives(c Communicator) error {
	r, n := c.Rank(), c.Size()
	fail := func(format string, args ...any) error {
		return errorf("rank %d of %d: "+format, append([]any{r, n}, args...)...)
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
	if err := c.AllReduceSum(Buf(x32)); err != nil {
		return err
	}
	if err := c.AllReduceSum(Buf(x64)); err != nil {
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
	if err := c.Broadcast(Buf(b), n-1); err != nil {
		return err
	}
	if b[0] != float64(n-1) || b[1] != -1 {
		return fail("Broadcast from %d: %v", n-1, b)
	}
	// AllGather.
	all := make([]float32, 2*n)
	if err := c.AllGather(Buf([]float32{float32(r), 10 * float32(r)}), Buf(all)); err != nil {
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
	if err := c.Broadcast(Buf(b), n); err == nil {
		return fail("Broadcast from root %d: no error", n)
	}
	if err := c.AllGather(Buf(b), Buf(make([]float64, 2*n+1))); err == nil {
		return fail("AllGather into a buffer of the wrong length: no error")
	}
	if err := c.AllGather(Buf(b), Buf(make([]float32, 2*n))); err == nil {
		return fail("AllGather float64 into float32: no error")
	}
	return nil
}

func TestLocalCollectives(t *testing.T) {
	if err := collectives(Local{}); err != nil {
		t.Fatal(err)
	}
}

func TestGroupCollectives(t *testing.T) {
	for _, n := range []int{1, 2, 3} {
		cs, err := NewGroup(n)
		if err != nil {
			t.Fatal(err)
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for r := range cs {
			wg.Go(func() { errs[r] = collectives(cs[r]) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := NewGroup(0); err == nil {
		t.Fatal("NewGroup(0): no error")
	}
}

func TestGroupMismatchIsAnError(t *testing.T) {
	cs, _ := NewGroup(2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for r := range cs {
		wg.Go(func() { errs[r] = cs[r].AllReduceSum(Buf(make([]float64, 2+r))) })
	}
	wg.Wait()
	for r, err := range errs {
		if err == nil {
			t.Fatalf("rank %d: all-reduce of 2 and 3 elements: no error", r)
		}
	}
}

type myFloat float32

func TestBufNamedTypes(t *testing.T) {
	s := []myFloat{1, 2}
	b := Buf(s)
	if !b.Is32() || b.Len() != 2 {
		t.Fatalf("Buf([]myFloat) = %d float32? %v", b.Len(), b.Is32())
	}
	b.Float32s()[1] = 5
	if s[1] != 5 {
		t.Fatal("Buf of a named type does not share memory")
	}
	if !slices.Equal(Buf([]float64{3}).Float64s(), []float64{3}) || Buf([]float64{3}).Is32() {
		t.Fatal("Buf([]float64)")
	}
}

func TestBufAllocatesNothing(t *testing.T) {
	x := make([]float32, 8)
	var c Communicator = Local{}
	if a := testing.AllocsPerRun(100, func() { _ = c.AllReduceSum(Buf(x)) }); a != 0 {
		t.Fatalf("AllReduceSum(Buf(x)) allocates %v times", a)
	}
}
