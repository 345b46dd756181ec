//go:build mpi

package distributed

import (
	"fmt"
	"testing"

	"github.com/stheno-ml/stheno/internal/cputime"
)

// BenchmarkMPIAllReduce times AllReduceSum of float32 buckets under mpirun, among them the
// gradient of the demo's MLP 784-512-256-10 (535,818 parameters, 2.1 MB). Run it with a fixed
// iteration count, so that every rank runs the same number of collectives:
//
//	mpirun -np 2 --mca btl self,vader ./distributed.test -test.run '^$' -test.bench MPIAllReduce -test.benchtime 200x
//
// cpu-ns/op is this process's CPU time (getrusage) per call: shared-memory MPI polls, so it is
// close to the wall time.
func BenchmarkMPIAllReduce(b *testing.B) {
	if world == nil {
		b.Skip("needs mpirun")
	}
	for _, n := range []int{1, 1 << 10, 1 << 16, 535818, 1 << 21} {
		b.Run(fmt.Sprintf("float32x%d", n), func(b *testing.B) {
			x := make([]float32, n)
			if err := world.Barrier(); err != nil {
				b.Fatal(err)
			}
			c0, _ := cputime.Process()
			b.ResetTimer()
			for range b.N {
				if err := world.AllReduceSum(Buf(x)); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			c1, _ := cputime.Process()
			b.ReportMetric(float64((c1-c0).Nanoseconds())/float64(b.N), "cpu-ns/op")
			b.SetBytes(int64(4 * n))
		})
	}
}
