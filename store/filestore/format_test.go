package filestore

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sociogram-kit/kit/handler"
)

func TestFormat(t *testing.T) {
	for _, rec := range []handler.Record{
		{Version: 1},
		{Version: 7, Data: []byte("x"), Expires: time.Unix(1893456000, 123)},
		{Version: 1 << 40, Data: []byte{0, 1, 2}, Expires: time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		got, err := decode(encode(rec))
		if err != nil || got.Version != rec.Version || string(got.Data) != string(rec.Data) || !got.Expires.Equal(rec.Expires) {
			t.Errorf("decode(encode(%+v)) = %+v, %v", rec, got, err)
		}
	}
}

// TestCorruptRecord: a value this package did not write fails Get and Put
// with an error naming the key and the file, never a panic.
func TestCorruptRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for key, v := range map[string][]byte{"short": {format1, 0}, "format": append([]byte{9}, make([]byte, headerSize)...)} {
		if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put([]byte(key), v) }); err != nil {
			t.Fatal(err)
		}
		_, err := s.Get(context.Background(), key)
		if err == nil || !strings.Contains(err.Error(), "corrupt") || !strings.Contains(err.Error(), path) {
			t.Errorf("Get of a corrupt record: %v", err)
		}
		if err := s.Put(context.Background(), key, handler.Record{}); err == nil || !strings.Contains(err.Error(), "corrupt") {
			t.Errorf("Put over a corrupt record: %v", err)
		}
	}
}
