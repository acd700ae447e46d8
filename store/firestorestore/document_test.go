package firestorestore

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/handler"
)

const testName = "projects/p/databases/(default)/documents/state/12345"

// doc wraps fields in a batchGet answer for testName.
func doc(fields string) string {
	return `[{"found":{"name":"` + testName + `","fields":` + fields +
		`,"createTime":"2026-01-01T00:00:00.000001Z","updateTime":"2026-01-02T03:04:05.123456Z"},"readTime":"2026-01-03T00:00:00Z"}]`
}

// TestDecodeBatchGet: the answer of a read is untrusted input. What Google's
// client accepted decodes to the same record; anything else is an error
// naming the field, never a panic or a silent zero.
func TestDecodeBatchGet(t *testing.T) {
	exp := time.Date(2030, 1, 2, 3, 4, 5, 6000, time.UTC)
	upd := time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)
	tests := []struct {
		name, body string
		want       handler.Record
		err        string // substring; "" for none
	}{
		{"all fields", doc(`{"version":{"integerValue":"3"},"data":{"bytesValue":"AAE="},"expires":{"timestampValue":"2030-01-02T03:04:05.000006Z"}}`),
			handler.Record{Version: 3, Data: []byte{0, 1}, Expires: exp}, ""},
		{"expires in another zone", doc(`{"version":{"integerValue":"3"},"data":{"bytesValue":""},"expires":{"timestampValue":"2030-01-02T04:04:05.000006+01:00"}}`),
			handler.Record{Version: 3, Data: []byte{}, Expires: exp}, ""},
		{"never expires", doc(`{"version":{"integerValue":"1"},"data":{"bytesValue":""}}`), handler.Record{Version: 1, Data: []byte{}}, ""},
		{"null data and expires", doc(`{"version":{"integerValue":"1"},"data":{"nullValue":null},"expires":{"nullValue":"NULL_VALUE"}}`), handler.Record{Version: 1, Data: []byte{}}, ""},
		{"no data", doc(`{"version":{"integerValue":"1"}}`), handler.Record{Version: 1, Data: []byte{}}, ""},
		{"version as a JSON number", doc(`{"version":{"integerValue":7}}`), handler.Record{Version: 7, Data: []byte{}}, ""},
		{"url-safe unpadded base64", doc(`{"version":{"integerValue":"1"},"data":{"bytesValue":"-_8"}}`), handler.Record{Version: 1, Data: []byte{0xfb, 0xff}}, ""},
		{"other fields ignored", doc(`{"version":{"integerValue":"1"},"note":{"stringValue":"x"}}`), handler.Record{Version: 1, Data: []byte{}}, ""},

		{"version zero", doc(`{"version":{"integerValue":"0"}}`), handler.Record{}, `field "version" is 0`},
		{"version negative", doc(`{"version":{"integerValue":"-1"}}`), handler.Record{}, `field "version" is -1`},
		{"version too big", doc(`{"version":{"integerValue":"9223372036854775808"}}`), handler.Record{}, `not a 64-bit integer`},
		{"version a double", doc(`{"version":{"doubleValue":1}}`), handler.Record{}, `field "version" is a "doubleValue"`},
		{"version a string", doc(`{"version":{"stringValue":"1"}}`), handler.Record{}, `field "version" is a "stringValue"`},
		{"version fractional", doc(`{"version":{"integerValue":1.5}}`), handler.Record{}, `not a 64-bit integer`},
		{"version missing", doc(`{"data":{"bytesValue":""}}`), handler.Record{}, `field "version" is missing`},
		{"no fields", doc(`{}`), handler.Record{}, `field "version" is missing`},
		{"two types", doc(`{"version":{"integerValue":"1","stringValue":"1"}}`), handler.Record{}, `2 types`},
		{"empty value", doc(`{"version":{}}`), handler.Record{}, `0 types`},
		{"data a string", doc(`{"version":{"integerValue":"1"},"data":{"stringValue":"x"}}`), handler.Record{}, `field "data" is a "stringValue", want bytes`},
		{"data not base64", doc(`{"version":{"integerValue":"1"},"data":{"bytesValue":"!!"}}`), handler.Record{}, `field "data": not base64`},
		{"data a number", doc(`{"version":{"integerValue":"1"},"data":{"bytesValue":1}}`), handler.Record{}, `field "data": want a base64 string`},
		{"expires an integer", doc(`{"version":{"integerValue":"1"},"expires":{"integerValue":"1"}}`), handler.Record{}, `field "expires" is a "integerValue", want a timestamp`},
		{"expires not RFC 3339", doc(`{"version":{"integerValue":"1"},"expires":{"timestampValue":"tomorrow"}}`), handler.Record{}, `field "expires": "tomorrow" is not an RFC 3339`},
		{"no update time", `[{"found":{"name":"` + testName + `","fields":{"version":{"integerValue":"1"}}}}]`, handler.Record{}, `updateTime: missing`},
		{"zero update time", `[{"found":{"name":"` + testName + `","fields":{"version":{"integerValue":"1"}},"updateTime":"0001-01-01T00:00:00Z"}}]`, handler.Record{}, `zero time`},
		{"another document", strings.Replace(doc(`{"version":{"integerValue":"1"}}`), "/12345", "/6", 1), handler.Record{}, `the answer is the document`},
		{"missing another", `[{"missing":"projects/p/databases/(default)/documents/state/6"}]`, handler.Record{}, `names another document`},
		{"two results", `[{"missing":"` + testName + `"},{"missing":"` + testName + `"}]`, handler.Record{}, `2 results`},
		{"no results", `[]`, handler.Record{}, `0 results`},
		{"neither", `[{"readTime":"2026-01-03T00:00:00Z"}]`, handler.Record{}, `not exactly one of found and missing`},
		{"both", `[{"found":{},"missing":"` + testName + `"}]`, handler.Record{}, `not exactly one of found and missing`},
		{"not JSON", `<html>`, handler.Record{}, `not a batchGet answer`},
		{"an object", `{"error":{}}`, handler.Record{}, `not a batchGet answer`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, updated, err := decodeBatchGet([]byte(tt.body), testName)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rec.Version != tt.want.Version || !bytes.Equal(rec.Data, tt.want.Data) || rec.Data == nil ||
				!rec.Expires.Equal(tt.want.Expires) || rec.Expires.Location() != time.UTC || !updated.Equal(upd) {
				t.Errorf("got %+v updated %s, want %+v updated %s", rec, updated, tt.want, upd)
			}
		})
	}
	if _, _, err := decodeBatchGet([]byte(`[{"missing":"`+testName+`","readTime":"2026-01-03T00:00:00Z"}]`), testName); !errors.Is(err, errNotFound) {
		t.Errorf("missing: got %v, want errNotFound", err)
	}
}

// TestCommitRequest: the body of a commit, byte for byte: a create carries
// exists=false and no mask; an update the three fields' mask (so a record
// that never expires deletes expires) and the update time read.
func TestCommitRequest(t *testing.T) {
	exp := time.Date(2030, 1, 2, 3, 4, 5, 6789, time.FixedZone("x", 3600))
	upd := time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)
	tests := []struct {
		name    string
		rec     handler.Record
		updated time.Time
		want    string
	}{
		{"create", handler.Record{Data: []byte{0, 1}, Expires: exp}, time.Time{},
			`{"writes":[{"update":{"name":"N","fields":{"data":{"bytesValue":"AAE="},"expires":{"timestampValue":"2030-01-02T02:04:05.000006789Z"},"version":{"integerValue":"1"}}},"currentDocument":{"exists":false}}]}`},
		{"update, never expires, nil data", handler.Record{Version: 4}, upd,
			`{"writes":[{"update":{"name":"N","fields":{"data":{"bytesValue":""},"version":{"integerValue":"5"}}},"updateMask":{"fieldPaths":["version","data","expires"]},"currentDocument":{"updateTime":"2026-01-02T03:04:05.123456Z"}}]}`},
	}
	for _, tt := range tests {
		b, err := commitRequest("N", tt.rec, tt.updated)
		if err != nil || string(b) != tt.want {
			t.Errorf("%s:\ngot  %s %v\nwant %s", tt.name, b, err, tt.want)
		}
	}
	if _, err := commitRequest("N", handler.Record{Expires: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, time.Time{}); err == nil {
		t.Error("an expiry in year 10000 was accepted")
	}
}

// FuzzDecodeBatchGet: any answer either decodes to a record that the store
// could have written (version >= 1, data not nil, a non-zero update time)
// and that survives a round trip through the REST encoding, or is an error;
// never a panic.
func FuzzDecodeBatchGet(f *testing.F) {
	for _, s := range []string{
		doc(`{"version":{"integerValue":"3"},"data":{"bytesValue":"AAE="},"expires":{"timestampValue":"2030-01-02T03:04:05.000006Z"}}`),
		doc(`{"version":{"integerValue":7},"data":{"nullValue":null}}`),
		doc(`{"version":{"integerValue":"1","stringValue":""}}`),
		`[{"missing":"` + testName + `"}]`,
		`[]`, `null`, `{"error":{"code":404}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		rec, updated, err := decodeBatchGet(body, testName)
		if err != nil {
			return
		}
		if rec.Version < 1 || rec.Data == nil || updated.IsZero() {
			t.Fatalf("decoded %+v updated %s", rec, updated)
		}
		// What the store writes for this record decodes back to it.
		req, err := commitRequest(testName, handler.Record{Version: rec.Version - 1, Data: rec.Data, Expires: rec.Expires}, time.Time{})
		if err != nil {
			return // an expiry outside Firestore's years: Put refuses it
		}
		var c commitBody
		if err := json.Unmarshal(req, &c); err != nil {
			t.Fatal(err)
		}
		fields, _ := json.Marshal(c.Writes[0].Update.Fields)
		again, _, err := decodeBatchGet([]byte(doc(string(fields))), testName)
		if err != nil || again.Version != rec.Version || !bytes.Equal(again.Data, rec.Data) || !again.Expires.Equal(rec.Expires) {
			t.Fatalf("round trip of %+v: %+v, %v", rec, again, err)
		}
	})
}
