// Package checkpoint keeps crash-safe generations of a training run: the model weights, the
// solver state and the run's metadata, saved together by one call and restored together, the
// role Orbax's CheckpointManager or Lightning's ModelCheckpoint play.
//
// A Manager owns a directory laid out as
//
//	CHECKPOINT                 {"generation": 7, "dir": "gen-00000007", "manifest_sha256": ...}
//	gen-00000006/              the previous generation, kept as a fallback
//	gen-00000007/
//	    model.safetensors      the weights (models.Write: safetensors, PyTorch state_dict names)
//	    solver.state           the solver state (solvers' SaveState)
//	    MANIFEST.json          every file's size and SHA-256, the metadata, and a SHA-256 of itself
//
// Save writes a new generation under new names only: it creates gen-N, writes and fsyncs each
// file, writes and fsyncs the manifest, fsyncs the generation directory and the parent, and then
// switches CHECKPOINT atomically (temporary file, fsync, rename, fsync of the directory). Only
// after the switch are generations beyond the newest Keep (default 2) deleted. A crash, kill -9
// or full disk at any instant therefore leaves CHECKPOINT naming a complete generation: the old
// one before the rename, the new one after it.
//
// Latest (and Restore, which loads a store and a solver from it) verifies the generation
// CHECKPOINT names — the manifest's own checksum, then every file's size and SHA-256 — and falls
// back to the newest older generation that verifies, with a warning naming what was damaged.
// It removes what an interrupted save left behind (a generation newer than the current one,
// temporary files).
//
// safetensors and JSON have no checksum of their own; the manifest covers them. What the
// manager cannot detect: a generation that is intact but wrong (saved from a diverged run), or
// damage to a file after Restore has verified and read it. One process at a time may save into
// a directory. See docs/reliability.md.
package checkpoint
