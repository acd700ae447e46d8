package deploytest

import (
	"path/filepath"
	"testing"

	"github.com/sociogram-kit/kit/internal/testtools"
)

// tool returns the path of the named tool, from dir/bin/tools or PATH; a
// missing tool skips the test, or fails it under KIT_REQUIRE_TOOLS=1.
func tool(t testing.TB, dir, name string) string {
	t.Helper()
	return testtools.RequireIn(t, filepath.Join(dir, "bin", "tools"), name)
}
