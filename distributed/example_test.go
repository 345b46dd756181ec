package distributed_test

import (
	"fmt"
	"sync"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/data"
	"github.com/stheno-ml/stheno/distributed"
	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/layers"
	"github.com/stheno-ml/stheno/models"
	"github.com/stheno-ml/stheno/ops"
	"github.com/stheno-ml/stheno/solvers"
)

// trainRank is what every rank of a data-parallel job runs: its shard of each global batch of 8,
// a DataParallel solver, 5 steps. Under mpirun, c would come from distributed.World().
func trainRank(c distributed.Communicator, ds *data.Dataset) (float64, error) {
	local := 8 / c.Size()
	b, err := data.NewBatcher(ds, local, data.WithShuffle(1), data.WithDropLast(), data.WithDtype(tensor.Float64),
		data.WithShard(c.Rank(), c.Size()))
	if err != nil {
		return 0, err
	}
	store := graph.NewStore(tensor.Float64, 1)
	sgd, err := solvers.NewSGD(solvers.WithLearnRate(0.1), solvers.WithMomentum(0.9))
	if err != nil {
		return 0, err
	}
	loss := func(out, y *gorgonia.Node) (*gorgonia.Node, error) { return ops.CrossEntropy(out, y) }
	tr, _, err := distributed.NewTrainer(c, models.MLP(4, []int{8}, 3, layers.ReLU{}), store,
		tensor.Shape{local, 4}, tensor.Int, tensor.Shape{local}, loss, sgd)
	if err != nil {
		return 0, err
	}
	defer tr.Close()
	for range 5 {
		b.Next()
		if _, err := tr.Step(b.X(), b.Y()); err != nil {
			return 0, err
		}
	}
	w, _ := store.Get("0.weight")
	return w.Data().([]float64)[0], nil
}

// Two goroutine ranks train one model together; both end with the same weights.
func ExampleNewTrainer() {
	ds := &data.Dataset{N: 40, Rows: 2, Cols: 2, Classes: 3, Pixels: make([]byte, 160), Labels: make([]byte, 40)}
	for i := range ds.Pixels {
		ds.Pixels[i] = byte(i * 37)
	}
	for i := range ds.Labels {
		ds.Labels[i] = byte(i % 3)
	}
	ranks, _ := distributed.NewGroup(2)
	w := make([]float64, 2)
	var wg sync.WaitGroup
	for r, c := range ranks {
		wg.Go(func() {
			var err error
			if w[r], err = trainRank(c, ds); err != nil {
				fmt.Println(err)
			}
		})
	}
	wg.Wait()
	fmt.Println("ranks agree:", w[0] == w[1])
	// Output: ranks agree: true
}

// A Communicator's collectives work in place on float32 or float64 slices wrapped by Buf.
func ExampleBuf() {
	var c distributed.Communicator = distributed.Local{} // or distributed.World()
	grad := []float32{1, 2, 3}
	if err := c.AllReduceSum(distributed.Buf(grad)); err != nil {
		fmt.Println(err)
	}
	fmt.Println(c.Rank(), c.Size(), grad)
	// Output: 0 1 [1 2 3]
}
