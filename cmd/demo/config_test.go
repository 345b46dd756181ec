package main

import (
	"io"
	"strings"
	"testing"
)

func TestParseFlagsDefaults(t *testing.T) {
	c, set, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Model != "mlp" || c.Epochs != 4 || c.Batch != 64 || c.Solver != "adamw" || c.LR != 1e-3 ||
		c.WeightDecay != 0.01 || c.Schedule != "cosine" || c.Seed != 1 || c.Out != "runs/mnist-mlp" || c.Dtype != "float32" || len(set) != 0 {
		t.Errorf("defaults %+v set %v", c, set)
	}
	c, set, err = parseFlags([]string{"-model", "cnn", "-solver", "momentum", "-weight-decay", "0"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Epochs != 4 || c.LR != 0.05 || c.WeightDecay != 0 || c.Out != "runs/mnist-cnn" || !set["model"] || set["lr"] {
		t.Errorf("cnn/momentum defaults %+v set %v", c, set)
	}
}

func TestParseFlagsErrors(t *testing.T) {
	cases := map[string][]string{
		`-model "rnn": want one of mlp, cnn`: {"-model", "rnn"},
		`-solver "lbfgs"`:                    {"-solver", "lbfgs"},
		`-schedule "linear"`:                 {"-schedule", "linear"},
		`-dtype "int8"`:                      {"-dtype", "int8"},
		"-epochs -1":                         {"-epochs", "-1"},
		"-batch 0":                           {"-batch", "0"},
		"-lr -0.1":                           {"-lr", "-0.1"},
		"-lr NaN":                            {"-lr", "NaN"},
		"-limit -5":                          {"-limit", "-5"},
		"-threads 0":                         {"-threads", "0"},
		`unexpected argument "extra"`:        {"extra"},
		"flag provided but not defined":      {"-nope"},
	}
	for want, args := range cases {
		_, _, err := parseFlags(args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: error %v, want %q", args, err, want)
		}
	}
}

func TestMergeResume(t *testing.T) {
	saved, _, _ := parseFlags([]string{"-epochs", "5", "-lr", "0.002", "-out", "a"}, io.Discard)
	cmd, set, _ := parseFlags([]string{"-resume", "-out", "b", "-threads", "1", "-lr", "0.002"}, io.Discard)
	m, err := mergeResume(saved, cmd, set)
	if err != nil {
		t.Fatal(err)
	}
	if m.Epochs != 5 || m.LR != 0.002 || m.Out != "b" || m.Threads != 1 || !m.Resume {
		t.Errorf("merged %+v", m)
	}
	cmd, set, _ = parseFlags([]string{"-resume", "-epochs", "6"}, io.Discard)
	if _, err := mergeResume(saved, cmd, set); err == nil || !strings.Contains(err.Error(), "-epochs=6 differs from the run being resumed (-epochs=5)") {
		t.Errorf("conflict: %v", err)
	}
}

func TestDefaultLR(t *testing.T) {
	for _, c := range []struct {
		model, solver string
		want          float64
	}{{"mlp", "adamw", 1e-3}, {"cnn", "adamw", 2e-3}, {"cnn", "adam", 2e-3}, {"cnn", "sgd", 0.1}, {"mlp", "momentum", 0.05}} {
		if got := defaultLR(c.model, c.solver); got != c.want {
			t.Errorf("defaultLR(%s, %s) = %v, want %v", c.model, c.solver, got, c.want)
		}
	}
}
