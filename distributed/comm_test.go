package distributed

import (
	"slices"
	"sync"
	"testing"
)

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
