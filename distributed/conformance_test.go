package distributed_test

import (
	"sync"
	"testing"

	"github.com/stheno-ml/stheno/distributed"
	"github.com/stheno-ml/stheno/distributed/commtest"
)

func TestLocalCollectives(t *testing.T) {
	if err := commtest.Run(distributed.Local{}); err != nil {
		t.Fatal(err)
	}
}

func TestGroupCollectives(t *testing.T) {
	for _, n := range []int{1, 2, 3} {
		cs, err := distributed.NewGroup(n)
		if err != nil {
			t.Fatal(err)
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for r := range cs {
			wg.Go(func() { errs[r] = commtest.Run(cs[r]) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := distributed.NewGroup(0); err == nil {
		t.Fatal("distributed.NewGroup(0): no error")
	}
}
