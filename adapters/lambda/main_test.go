package lambdaadapter_test

import (
	"os"
	"path/filepath"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, p := range bootstrapBuilt {
		os.RemoveAll(filepath.Dir(p))
	}
	os.Exit(code)
}
