package firestorestore

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sociogram-kit/kit/handler"
)

// The REST API's JSON (google.firestore.v1): a Value is an object with one
// member naming its type; integers are decimal strings, bytes base64,
// timestamps RFC 3339 in UTC.
const (
	kindInteger   = "integerValue"
	kindBytes     = "bytesValue"
	kindTimestamp = "timestampValue"
	kindNull      = "nullValue"
)

type commitBody struct {
	Writes []write `json:"writes"`
}

type write struct {
	Update          outDocument   `json:"update"`
	UpdateMask      *documentMask `json:"updateMask,omitempty"`
	CurrentDocument precondition  `json:"currentDocument"`
}

type outDocument struct {
	Name   string                       `json:"name"`
	Fields map[string]map[string]string `json:"fields"`
}

type documentMask struct {
	FieldPaths []string `json:"fieldPaths"`
}

type precondition struct {
	Exists     *bool  `json:"exists,omitempty"`
	UpdateTime string `json:"updateTime,omitempty"`
}

// commitRequest is the body of a commit writing rec at version rec.Version+1
// to the document name: a create (precondition: no document) when updated
// is zero, else an update of the three fields (expires deleted when
// rec.Expires is zero) on the precondition that the document's update time
// is updated, as Google's client wrote them with Create and Update.
func commitRequest(name string, rec handler.Record, updated time.Time) ([]byte, error) {
	fields := map[string]map[string]string{
		FieldVersion: {kindInteger: strconv.FormatInt(rec.Version+1, 10)},
		FieldData:    {kindBytes: base64.StdEncoding.EncodeToString(rec.Data)}, // nil: empty bytes, not null
	}
	if !rec.Expires.IsZero() {
		if y := rec.Expires.UTC().Year(); y < 1 || y > 9999 {
			return nil, fmt.Errorf("expires %s: outside Firestore's years 1 to 9999", rec.Expires)
		}
		fields[FieldExpires] = map[string]string{kindTimestamp: formatTime(rec.Expires)}
	}
	w := write{Update: outDocument{Name: name, Fields: fields}}
	if updated.IsZero() {
		w.CurrentDocument.Exists = new(false)
	} else {
		w.UpdateMask = &documentMask{FieldPaths: []string{FieldVersion, FieldData, FieldExpires}}
		w.CurrentDocument.UpdateTime = formatTime(updated)
	}
	return json.Marshal(commitBody{Writes: []write{w}})
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// decodeCommit returns the update time of a commit's one write.
func decodeCommit(body []byte) (time.Time, error) {
	var r struct {
		WriteResults []struct {
			UpdateTime string `json:"updateTime"`
		} `json:"writeResults"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return time.Time{}, fmt.Errorf("the commit's answer: %w", err)
	}
	if len(r.WriteResults) != 1 {
		return time.Time{}, fmt.Errorf("the commit's answer has %d write results, want 1", len(r.WriteResults))
	}
	t, err := parseUpdateTime(r.WriteResults[0].UpdateTime)
	if err != nil {
		return time.Time{}, fmt.Errorf("the commit's answer: updateTime: %w", err)
	}
	return t, nil
}

// decodeBatchGet reads the answer of a documents:batchGet of the one
// document name: its record and update time, or errNotFound.
func decodeBatchGet(body []byte, name string) (handler.Record, time.Time, error) {
	var r []struct {
		Found   json.RawMessage `json:"found"`
		Missing string          `json:"missing"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return handler.Record{}, time.Time{}, fmt.Errorf("not a batchGet answer: %w", err)
	}
	if len(r) != 1 {
		return handler.Record{}, time.Time{}, fmt.Errorf("the batchGet answer has %d results, want 1", len(r))
	}
	switch found, missing := len(r[0].Found) > 0 && string(r[0].Found) != "null", r[0].Missing; {
	case found && missing == "":
		return decodeDocument(r[0].Found, name)
	case !found && missing == name:
		return handler.Record{}, time.Time{}, errNotFound
	case !found && missing != "":
		return handler.Record{}, time.Time{}, fmt.Errorf("the batchGet answer names another document %q", bound(missing))
	default:
		return handler.Record{}, time.Time{}, errors.New("the batchGet answer has not exactly one of found and missing")
	}
}

// decodeDocument reads a Document of the REST API, which must be the one
// named: the record its fields hold and its update time. It is strict where Google's client was: version
// an integer >= 1; data bytes or null or absent (empty); expires a timestamp
// or null or absent (never). Other fields are ignored.
func decodeDocument(body []byte, name string) (handler.Record, time.Time, error) {
	var doc struct {
		Name       string                                `json:"name"`
		Fields     map[string]map[string]json.RawMessage `json:"fields"`
		UpdateTime string                                `json:"updateTime"`
	}
	var rec handler.Record
	if err := json.Unmarshal(body, &doc); err != nil {
		return rec, time.Time{}, fmt.Errorf("not a Firestore document: %w", err)
	}
	if doc.Name != name {
		return rec, time.Time{}, fmt.Errorf("the answer is the document %q", bound(doc.Name))
	}
	updated, err := parseUpdateTime(doc.UpdateTime)
	if err != nil {
		return rec, time.Time{}, fmt.Errorf("updateTime: %w", err)
	}

	kind, raw, err := field(doc.Fields, FieldVersion)
	if err == nil && kind != kindInteger {
		err = fmt.Errorf("is %s", describe(kind))
	}
	if err == nil {
		rec.Version, err = parseInt(raw)
	}
	if err == nil && rec.Version < 1 {
		err = fmt.Errorf("is %d", rec.Version)
	}
	if err != nil {
		return handler.Record{}, time.Time{}, fmt.Errorf("field %q %v, want an integer version >= 1", FieldVersion, err)
	}

	rec.Data = []byte{}
	switch kind, raw, err := field(doc.Fields, FieldData); {
	case err != nil:
		return handler.Record{}, time.Time{}, fmt.Errorf("field %q %v, want bytes", FieldData, err)
	case kind == kindBytes:
		if rec.Data, err = parseBytes(raw); err != nil {
			return handler.Record{}, time.Time{}, fmt.Errorf("field %q: %v", FieldData, err)
		}
	case kind != "" && kind != kindNull:
		return handler.Record{}, time.Time{}, fmt.Errorf("field %q is %s, want bytes", FieldData, describe(kind))
	}

	switch kind, raw, err := field(doc.Fields, FieldExpires); {
	case err != nil:
		return handler.Record{}, time.Time{}, fmt.Errorf("field %q %v, want a timestamp", FieldExpires, err)
	case kind == kindTimestamp:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return handler.Record{}, time.Time{}, fmt.Errorf("field %q: want a timestamp string", FieldExpires)
		}
		if rec.Expires, err = parseTime(s); err != nil {
			return handler.Record{}, time.Time{}, fmt.Errorf("field %q: %v", FieldExpires, err)
		}
	case kind != "" && kind != kindNull:
		return handler.Record{}, time.Time{}, fmt.Errorf("field %q is %s, want a timestamp", FieldExpires, describe(kind))
	}
	return rec, updated, nil
}

// field returns the type and JSON of the named field's value; kind "" when
// the document has no such field.
func field(fields map[string]map[string]json.RawMessage, name string) (kind string, raw json.RawMessage, err error) {
	v, ok := fields[name]
	if !ok {
		return "", nil, nil
	}
	if len(v) != 1 {
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range v {
				if !yield(k) {
					return
				}
			}
		})
		return "", nil, fmt.Errorf("is a value with %d types %q", len(v), keys)
	}
	for k, r := range v {
		kind, raw = k, r
	}
	return kind, raw, nil
}

// describe names a value's type for an error, bounded (it comes from the
// answer).
func describe(kind string) string {
	if kind == "" {
		return "missing"
	}
	if len(kind) > 40 {
		kind = kind[:40] + "..."
	}
	return "a " + strconv.Quote(kind)
}

// parseInt reads an int64 as the REST API writes it ("12") or as a JSON
// number (12), as protobuf's JSON parsers accept.
func parseInt(raw json.RawMessage) (int64, error) {
	s := string(bytes.TrimSpace(raw))
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, errors.New("is not a string")
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("is %q, not a 64-bit integer", bound(s))
	}
	return n, nil
}

// parseBytes reads base64, standard or URL-safe, padded or not (protobuf's
// JSON parsers accept all four; Firestore writes standard, padded).
func parseBytes(raw json.RawMessage) ([]byte, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, errors.New("want a base64 string")
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// parseTime reads an RFC 3339 timestamp, returned in UTC.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("missing")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 timestamp", bound(s))
	}
	return t.UTC(), nil
}

// parseUpdateTime reads a document's update time: a timestamp, never the
// zero time (which Put would take for "no document").
func parseUpdateTime(s string) (time.Time, error) {
	t, err := parseTime(s)
	if err == nil && t.IsZero() {
		err = fmt.Errorf("%q is the zero time", s)
	}
	return t, err
}

func bound(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
