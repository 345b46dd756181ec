// Package jsonx decodes JSON strictly: the one rule for files Stheno reads back that it
// wrote itself (checkpoint manifests, the demo's run state), where an unknown field or
// anything after the value means the file is not what it claims to be.
package jsonx

import (
	"bytes"
	"encoding/json"
	"errors"
)

// DecodeStrict decodes the JSON value in b into v, rejecting fields v does not have and
// any data after the value.
func DecodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON object")
	}
	return nil
}
