package gcfadapter_test

import (
	"encoding/json"
	"testing"

	jsoniter "github.com/json-iterator/go"
)

// TestJSONIteratorMarshalsMaps: functions-framework-go links json-iterator
// through the CloudEvents SDK. Before go.mod pinned json-iterator v1.1.12
// and reflect2 v1.0.2, the 2018 reflect2 it pulled in crashed the process
// on current Go when a map was marshalled, which a CloudEvent function added
// by a bot author would do.
func TestJSONIteratorMarshalsMaps(t *testing.T) {
	in := map[string]any{"uid": 12345, "tags": map[string]string{"a": "b"}, "list": []any{1, "x"}}
	for name, api := range map[string]jsoniter.API{"ConfigFastest": jsoniter.ConfigFastest, "ConfigCompatibleWithStandardLibrary": jsoniter.ConfigCompatibleWithStandardLibrary} {
		b, err := api.Marshal(in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var back map[string]any
		if err := json.Unmarshal(b, &back); err != nil || back["tags"].(map[string]any)["a"] != "b" {
			t.Errorf("%s: %s does not round-trip: %v", name, b, err)
		}
	}
}
