package platform_test

import (
	"encoding/json"
	"testing"

	"github.com/sociogram-kit/kit/platform"
)

// BenchmarkParseSendMessage is the fakes' cost per call: the docs' example
// body, strictly parsed.
func BenchmarkParseSendMessage(b *testing.B) {
	body := []byte(docsExample)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := platform.ParseSendMessage("application/json", body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnmarshalSendMessage is what sociogramtest did before, for
// comparison: encoding/json into the same types, no checks.
func BenchmarkUnmarshalSendMessage(b *testing.B) {
	body := []byte(docsExample)
	b.ReportAllocs()
	for b.Loop() {
		var m platform.SendMessage
		if err := json.Unmarshal(body, &m); err != nil {
			b.Fatal(err)
		}
	}
}
