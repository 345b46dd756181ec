package main

import (
	"encoding/json"
	"io"
	"testing"
)

// FuzzRunState feeds arbitrary bytes to the decoder of the run state stored in a checkpoint's
// manifest: it must never panic, and whatever it accepts must be a configuration the flags
// would accept, with counters that agree, surviving a re-encoding unchanged.
func FuzzRunState(f *testing.F) {
	cfg, _, err := parseFlags([]string{"-epochs", "3", "-out", "x"}, io.Discard)
	if err != nil {
		f.Fatal(err)
	}
	for _, st := range []RunState{
		{Version: stateVersion, Config: cfg},
		{Version: stateVersion, Config: cfg, Batch: 2, Steps: 2, PartSeen: 128, PartCorrect: 100},
	} {
		b, _ := json.Marshal(st)
		f.Add(b)
	}
	f.Add([]byte(`{"version":2,"config":{"model":"rnn"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := decodeRunState(b)
		if err != nil {
			return
		}
		if err := st.Config.validate(); err != nil {
			t.Fatalf("accepted a configuration the flags refuse: %v", err)
		}
		if st.Epoch > st.Config.Epochs || len(st.History) != st.Epoch || st.PartSeen != st.Batch*st.Config.Batch {
			t.Fatalf("accepted contradictory counters: %+v", st)
		}
		again, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		st2, err := decodeRunState(again)
		if err != nil {
			t.Fatalf("re-encoded run state rejected: %v", err)
		}
		if st2.Config != st.Config || st2.Steps != st.Steps || st2.Epoch != st.Epoch {
			t.Fatalf("re-encoding changed the run state")
		}
	})
}
