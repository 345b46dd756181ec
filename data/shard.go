package data

import "github.com/pkg/errors"

// WithShard makes the Batcher deliver only shard rank of world equal shards of every epoch, as
// torch.utils.data.DistributedSampler does for data-parallel training: every rank computes the
// same global order of the epoch (the dataset order, or the WithShuffle permutation of the same
// seed and epoch) and rank r takes its items r, r+world, r+2·world, …
//
// With WithDropLast the global order is first cut to a multiple of world, so every rank gets
// exactly ⌊N/world⌋ examples and the same number of full batches (what a training loop whose
// ranks meet in a collective every step needs); batch b of the world ranks together then holds
// exactly the items of batch b of one unsharded Batcher with world times the batch size. Without
// it the shards differ by at most one example (what a sharded evaluation, whose ranks only meet
// at the end, wants: no example is dropped or counted twice).
//
// world 1 (rank 0) is the unsharded default.
func WithShard(rank, world int) BatchOption {
	return func(b *Batcher) error {
		if world < 1 || rank < 0 || rank >= world {
			return errors.Errorf("data: WithShard: rank %d of world %d, want 0 ≤ rank < world", rank, world)
		}
		b.rank, b.world = rank, world
		return nil
	}
}

// shardLen is the number of examples shard rank of world gets from n (all of them when world ≤ 1).
func shardLen(n, rank, world int, dropLast bool) int {
	if world <= 1 {
		return n
	}
	if dropLast {
		n -= n % world
	}
	if n <= rank {
		return 0
	}
	return (n - rank + world - 1) / world
}

// shard copies this shard's items of the epoch's global order into b.order.
func (b *Batcher) shard() {
	if b.world <= 1 {
		return
	}
	for i := range b.order {
		b.order[i] = b.perm[b.rank+i*b.world]
	}
}
