package data

import (
	"math"
	"slices"
	"testing"
)

// indexDataset has n 1×2 images whose two pixels spell the example index (low byte, high byte).
func indexDataset(n int) *Dataset {
	d := &Dataset{N: n, Rows: 1, Cols: 2, Classes: 10, Pixels: make([]byte, 2*n), Labels: make([]byte, n)}
	for i := range n {
		d.Pixels[2*i], d.Pixels[2*i+1], d.Labels[i] = byte(i), byte(i>>8), byte(i%10)
	}
	return d
}

// batches returns the example indices of every batch of one epoch.
func batches(t *testing.T, b *Batcher, epoch int) [][]int {
	t.Helper()
	b.Epoch(epoch)
	var out [][]int
	for b.Next() {
		x := b.X().Data().([]float32)
		var idx []int
		for i := 0; i < b.X().Shape()[0]; i++ {
			lo := int(math.Round(float64(x[2*i]) * 255))
			hi := int(math.Round(float64(x[2*i+1]) * 255))
			idx = append(idx, lo+hi<<8)
		}
		out = append(out, idx)
	}
	return out
}

func TestShardDropLastMatchesOneBigBatch(t *testing.T) {
	const n, world, size = 1003, 3, 16
	d := indexDataset(n)
	whole, err := NewBatcher(d, world*size, WithShuffle(7), WithDropLast(), WithNorm(NoNorm))
	if err != nil {
		t.Fatal(err)
	}
	for _, epoch := range []int{0, 1, 5} {
		want := batches(t, whole, epoch)
		for r := range world {
			b, err := NewBatcher(d, size, WithShuffle(7), WithDropLast(), WithNorm(NoNorm), WithShard(r, world))
			if err != nil {
				t.Fatal(err)
			}
			if b.Batches() != whole.Batches() {
				t.Fatalf("rank %d: %d batches, the unsharded batcher has %d", r, b.Batches(), whole.Batches())
			}
			got := batches(t, b, epoch)
			if len(got) != len(want) {
				t.Fatalf("epoch %d rank %d: %d batches, want %d", epoch, r, len(got), len(want))
			}
			for k := range want {
				for i, v := range got[k] {
					// rank r's i-th item is item r + i·world of the big batch
					if w := want[k][r+i*world]; v != w {
						t.Fatalf("epoch %d rank %d batch %d item %d: example %d, want %d", epoch, r, k, i, v, w)
					}
				}
			}
		}
	}
}

func TestShardEvalCoversEveryExampleOnce(t *testing.T) {
	for _, tc := range []struct{ n, world, size int }{{10, 3, 4}, {7, 2, 100}, {12, 4, 3}, {5, 5, 1}} {
		d := indexDataset(tc.n)
		var all []int
		for r := range tc.world {
			b, err := NewBatcher(d, tc.size, WithShard(r, tc.world), WithShuffle(3), WithNorm(NoNorm))
			if err != nil {
				t.Fatal(err)
			}
			for _, bt := range batches(t, b, 2) {
				all = append(all, bt...)
			}
		}
		slices.Sort(all)
		for i, v := range all {
			if i != v || len(all) != tc.n {
				t.Fatalf("%+v: the shards hold %v, want each of 0..%d once", tc, all, tc.n-1)
			}
		}
	}
}

func TestShardErrors(t *testing.T) {
	d := indexDataset(4)
	for _, tc := range []struct{ rank, world int }{{-1, 2}, {2, 2}, {0, 0}} {
		if _, err := NewBatcher(d, 1, WithShard(tc.rank, tc.world)); err == nil {
			t.Errorf("WithShard(%d, %d): no error", tc.rank, tc.world)
		}
	}
	if _, err := NewBatcher(d, 1, WithShard(4, 5)); err == nil {
		t.Error("an empty shard (rank 4 of 5 over 4 examples): no error")
	}
	if _, err := NewBatcher(d, 3, WithShard(0, 2), WithDropLast()); err == nil {
		t.Error("drop-last batch 3 over a shard of 2: no error")
	}
}
