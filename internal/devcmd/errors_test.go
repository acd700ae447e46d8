package devcmd_test

import (
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/sociogram-kit/kit/internal/devcmd"
)

// TestEmulatorErrorsNameWhatToFix: the emulator command's configuration
// errors name the variable, the value and the form wanted, once, after the
// command's name (no "emulator: emulator:").
func TestEmulatorErrorsNameWhatToFix(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	addr := busy.Addr().String()
	host, port, _ := net.SplitHostPort(addr)
	next := net.JoinHostPort(host, nextPort(port))
	const urlWant = `: want an absolute http:// or https:// URL with a host, e.g. http://127.0.0.1:8080/webhook` + "\n"
	for _, c := range []struct {
		name string
		env  func(string) string
		out  string // the whole of stderr
	}{
		{"BOT_URL not a URL", env("SOCIOGRAM_BOT_TOKEN", token, "BOT_URL", "localhost:8080"), `emulator: BOT_URL="localhost:8080"` + urlWant},
		{"BOT_URL without a host", env("SOCIOGRAM_BOT_TOKEN", token, "BOT_URL", "http://"), `emulator: BOT_URL="http://"` + urlWant},
		{"BOT_URL another scheme", env("SOCIOGRAM_BOT_TOKEN", token, "BOT_URL", "ftp://bot/webhook"), `emulator: BOT_URL="ftp://bot/webhook"` + urlWant},
		{"EMULATOR_ADDR without a port", env("SOCIOGRAM_BOT_TOKEN", token, "EMULATOR_ADDR", "bad"),
			`emulator: EMULATOR_ADDR="bad": want HOST:PORT, e.g. 127.0.0.1:8090 (a port number from 0 to 65535)` + "\n"},
		{"EMULATOR_ADDR port out of range", env("SOCIOGRAM_BOT_TOKEN", token, "EMULATOR_ADDR", "127.0.0.1:99999"),
			`emulator: EMULATOR_ADDR="127.0.0.1:99999": want HOST:PORT, e.g. 127.0.0.1:8090 (a port number from 0 to 65535)` + "\n"},
		{"EMULATOR_ADDR busy", env("SOCIOGRAM_BOT_TOKEN", token, "EMULATOR_ADDR", addr),
			"emulator: EMULATOR_ADDR=" + addr + ": cannot listen there: bind: address already in use; stop what uses it, or set EMULATOR_ADDR to a free HOST:PORT, e.g. " + next + "\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stderr strings.Builder
			code := devcmd.Emulator(context.Background(), "emulator", nil, c.env, io.Discard, &stderr)
			if code != devcmd.ExitFailed || stderr.String() != c.out {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and:\n%s", code, stderr.String(), devcmd.ExitFailed, c.out)
			}
		})
	}
}

func nextPort(p string) string {
	n, _ := strconv.Atoi(p)
	return strconv.Itoa(n + 1)
}
