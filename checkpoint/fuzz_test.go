package checkpoint

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// FuzzManifest feeds arbitrary bytes to the manifest decoder (the run metadata's envelope): it
// must never panic, and whatever it accepts must survive re-encoding unchanged.
func FuzzManifest(f *testing.F) {
	good, err := encodeManifest(&manifest{Format: format, Version: version, Generation: 2, Created: time.Unix(1e9, 0).UTC(),
		Meta:  json.RawMessage(`{"config":{"lr":0.001},"epoch":1}`),
		Files: []fileEntry{{Name: "model.safetensors", Size: 10, SHA256: strings.Repeat("0a", 32)}}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte(`{"sha256":"","manifest":{}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		mf, err := decodeManifest(b)
		if err != nil {
			return
		}
		again, err := encodeManifest(mf)
		if err != nil {
			t.Fatalf("accepted manifest does not re-encode: %v", err)
		}
		mf2, err := decodeManifest(again)
		if err != nil {
			t.Fatalf("re-encoded manifest rejected: %v", err)
		}
		if mf.Generation != mf2.Generation || !reflect.DeepEqual(mf.Files, mf2.Files) || !mf.Created.Equal(mf2.Created) {
			t.Fatalf("re-encoding changed the manifest: %+v vs %+v", mf, mf2)
		}
	})
}
