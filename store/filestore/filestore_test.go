package filestore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/store/filestore"
	"github.com/sociogram-kit/kit/store/storetest"
)

func open(t *testing.T, path string) *filestore.Store {
	t.Helper()
	s, err := filestore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) handler.Store {
		return open(t, filepath.Join(t.TempDir(), "state.db"))
	})
}

func TestOpenCreatesFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "state.db")
	open(t, path)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("state file mode %v, want no access for group and others", fi.Mode().Perm())
	}
}

func TestOpenEmptyPath(t *testing.T) {
	if _, err := filestore.Open(""); err == nil || !strings.Contains(err.Error(), "no path") {
		t.Errorf("Open(\"\") = %v, want an error asking for a path", err)
	}
}

// TestSurvivesRestart: what one Open wrote, the next reads; expired records
// are gone after a reopen.
func TestSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	ctx := context.Background()
	s, err := filestore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "42", handler.Record{Data: []byte(`{"s":{}}`), Expires: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "43", handler.Record{Data: []byte("old"), Expires: time.Now().Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "44", handler.Record{Data: []byte("forever")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, path)
	for key, want := range map[string]string{"42": `{"s":{}}`, "43": "", "44": "forever"} {
		rec, err := s.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if string(rec.Data) != want {
			t.Errorf("after reopening, %s = %q, want %q", key, rec.Data, want)
		}
	}
}

// TestLockedByAnotherProcess: a second Open of a file in use fails after the
// lock timeout, naming the file. (bbolt's flock is per open file, so a second
// Open in this process stands for another process.)
func TestLockedByAnotherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	open(t, path)
	start := time.Now()
	_, err := filestore.Open(path)
	if err == nil {
		t.Fatal("a second Open of a locked file succeeded")
	}
	if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "locked by another process") {
		t.Errorf("error %q does not say the file %s is locked", err, path)
	}
	if d := time.Since(start); d < filestore.LockTimeout/2 || d > 10*filestore.LockTimeout {
		t.Errorf("gave up after %v, want about %v", d, filestore.LockTimeout)
	}
}

func TestCanceledContext(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "state.db"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Get(ctx, "1"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with a canceled context: %v", err)
	}
	if err := s.Put(ctx, "1", handler.Record{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a canceled context: %v", err)
	}
}
