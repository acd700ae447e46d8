package devcmd_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sociogram-kit/kit/internal/devcmd"
)

// kitRoot is the kit's checkout: a module with a bot (its
// adapters/http/cmd/webhook).
var kitRoot, _ = filepath.Abs("../..")

// busy listens on a free loopback port for the test's duration and returns
// its address.
func busy(t *testing.T) *net.TCPAddr {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().(*net.TCPAddr)
}

// TestDevRefuses: every refusal of sociogram dev comes before anything is
// built or any URL printed, and names what to change.
func TestDevRefuses(t *testing.T) {
	port := busy(t)
	emu := busy(t)
	portS := strings.TrimPrefix(port.String(), "127.0.0.1:")
	noMod := t.TempDir()
	noBot := t.TempDir()
	if err := os.WriteFile(filepath.Join(noBot, "go.mod"), []byte("module example.com/nobot\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	free := "127.0.0.1:0"
	cases := []struct {
		name string
		args []string
		env  func(string) string
		code int
		out  string // substring of stderr
	}{
		{"busy PORT", []string{"-C", kitRoot}, env("PORT", portS, "EMULATOR_ADDR", free), devcmd.ExitFailed,
			"PORT=" + portS + ": cannot listen on 127.0.0.1:" + portS},
		{"busy PORT says what to do", []string{"-C", kitRoot}, env("PORT", portS, "EMULATOR_ADDR", free), devcmd.ExitFailed,
			"set PORT to a free one, e.g. make run PORT="},
		{"busy EMULATOR_ADDR", []string{"-C", kitRoot}, env("EMULATOR_ADDR", emu.String()), devcmd.ExitFailed,
			"EMULATOR_ADDR=" + emu.String() + ": cannot listen on " + emu.String()},
		{"busy EMULATOR_ADDR says what to do", []string{"-C", kitRoot}, env("EMULATOR_ADDR", emu.String()), devcmd.ExitFailed,
			"set EMULATOR_ADDR to a free one, e.g. make run EMULATOR_ADDR=127.0.0.1:"},
		{"-port flag", []string{"-C", kitRoot, "-port", portS, "-emulator-addr", free}, env(), devcmd.ExitFailed, "PORT=" + portS + ": cannot listen"},
		{"PORT not a number", nil, env("PORT", "abc"), devcmd.ExitUsage, `PORT="abc": want a port number from 1 to 65535`},
		{"PORT 0", nil, env("PORT", "0"), devcmd.ExitUsage, `PORT="0": want a port number from 1 to 65535`},
		{"EMULATOR_ADDR without a port", nil, env("EMULATOR_ADDR", "localhost"), devcmd.ExitUsage, `EMULATOR_ADDR="localhost": want HOST:PORT, e.g. 127.0.0.1:8090`},
		{"REPLY_QUEUE", nil, env("REPLY_QUEUE", "sqs"), devcmd.ExitUsage, `REPLY_QUEUE="sqs": want local or off`},
		{"DEV_TOKEN with a comma", nil, env("DEV_TOKEN", "a,b"), devcmd.ExitUsage, "DEV_TOKEN: want one token"},
		{"stray argument", []string{"bot"}, env(), devcmd.ExitUsage, `unexpected argument "bot"`},
		{"help", []string{"-h"}, env(), devcmd.ExitOK, "Usage: sociogram dev"},
		{"no module", []string{"-C", noMod}, env("EMULATOR_ADDR", free), devcmd.ExitFailed, "no go.mod in " + noMod + " or above"},
		{"no webhook main", []string{"-C", noBot}, env("EMULATOR_ADDR", free), devcmd.ExitFailed, "has no ./cmd/webhook or ./adapters/http/cmd/webhook: give -pkg"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			code := devcmd.Dev(context.Background(), "sociogram dev", c.args, c.env, &stdout, &stderr)
			if code != c.code || !strings.Contains(stderr.String(), c.out) {
				t.Errorf("exit %d, want %d; stderr lacks %q:\n%s", code, c.code, c.out, stderr.String())
			}
			if strings.Contains(stdout.String(), "http://") || strings.Contains(stdout.String(), "building") {
				t.Errorf("a refused sociogram dev printed a URL or built:\n%s", stdout.String())
			}
		})
	}
}
