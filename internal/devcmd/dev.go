package devcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Defaults of `sociogram dev`, as `make run` had them.
const (
	DefaultDevPort  = "8080"
	DefaultDevToken = "dev-token"
)

// Environment variables of `sociogram dev` (and `make run`, which passes its
// variables of the same names).
const (
	EnvDevPort      = "PORT"
	EnvEmulatorAddr = "EMULATOR_ADDR"
	EnvDevToken     = "DEV_TOKEN"
	EnvReplyQueue   = "REPLY_QUEUE"
)

// Where a bot's plain-HTTP main is, in a generated project and in the kit.
var webhookPkgs = []string{"./cmd/webhook", "./adapters/http/cmd/webhook"}

// devOptions is a parsed `sociogram dev` command line.
type devOptions struct {
	dir, pkg, port, emuAddr, token, replyQueue, goCmd string
}

// Dev is the local development loop, run in a bot's module (a generated
// project or the kit): it builds only the bot's plain-HTTP server, runs the
// emulator in process and the bot beside it, prints the chat page's URL once
// both answer, and on every saved change rebuilds the bot and, if the build
// succeeds, restarts it. A failed build is shown in the terminal and on the
// chat page while the previous bot keeps serving; the emulator keeps its
// users, chats and delivery log across restarts. It runs until ctx is
// cancelled (Ctrl-C), stops the bot and returns ExitOK.
//
// Environment (flags override): PORT (the bot's, default 8080),
// EMULATOR_ADDR (default DefaultEmulatorAddr), DEV_TOKEN (default
// dev-token), REPLY_QUEUE (local or off, the default), GO (the go command).
// A busy port is an error naming its variable, before any URL is printed.
func Dev(ctx context.Context, name string, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	o, err := parseDev(name, args, getenv, stderr)
	if err != nil {
		return parseExit(name, err, stderr)
	}
	if err := runDev(ctx, o, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return ExitFailed
	}
	return ExitOK
}

func parseDev(name string, args []string, getenv func(string) string, stderr io.Writer) (devOptions, error) {
	o := devOptions{goCmd: envOr(getenv, "GO", "go")}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.dir, "C", ".", "run in the bot's module at `DIR`")
	fs.StringVar(&o.pkg, "pkg", "", "the bot's plain-HTTP main `package` (default: "+strings.Join(webhookPkgs, ", then ")+")")
	fs.StringVar(&o.port, "port", envOr(getenv, EnvDevPort, DefaultDevPort), "the bot's port (default from PORT)")
	fs.StringVar(&o.emuAddr, "emulator-addr", envOr(getenv, EnvEmulatorAddr, DefaultEmulatorAddr), "the emulator's `HOST:PORT` (default from EMULATOR_ADDR)")
	fs.StringVar(&o.token, "token", envOr(getenv, EnvDevToken, DefaultDevToken), "the bot token the bot and the emulator share (default from DEV_TOKEN)")
	fs.StringVar(&o.replyQueue, "reply-queue", getenv(EnvReplyQueue), "local: the bot's in-process reply queue (default from REPLY_QUEUE; off)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s [flags]\n", name)
		fmt.Fprintln(stderr, "Runs the bot of this module beside the emulator's chat page; rebuilds and restarts it on every saved change.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, errUsage
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return o, o.check()
}

// check validates the values, naming the variable to change.
func (o *devOptions) check() error {
	if n, err := strconv.Atoi(o.port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%s=%q: want a port number from 1 to 65535", EnvDevPort, o.port)
	}
	if err := checkHostPort(EnvEmulatorAddr, o.emuAddr, DefaultEmulatorAddr); err != nil {
		return err
	}
	switch o.replyQueue = strings.ToLower(o.replyQueue); o.replyQueue {
	case "", "off", "local":
	default:
		return fmt.Errorf("%s=%q: want local or off", EnvReplyQueue, o.replyQueue)
	}
	if o.token == "" || strings.ContainsAny(o.token, ", \t\n") {
		return fmt.Errorf("%s: want one token without spaces or commas (default %s)", EnvDevToken, DefaultDevToken)
	}
	return nil
}

// moduleRoot is the directory of the go.mod governing dir.
func moduleRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod in %s or above: run sociogram dev in your bot's project (made by sociogram new)", abs)
		}
	}
}

// botPackage is -pkg, or the first of webhookPkgs the module has.
func botPackage(root, pkg string) (string, error) {
	if pkg != "" {
		return pkg, nil
	}
	for _, p := range webhookPkgs {
		if m, _ := filepath.Glob(filepath.Join(root, filepath.FromSlash(p), "*.go")); len(m) > 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s has no %s: give -pkg with the bot's plain-HTTP main package (one that calls httpadapter.Run)",
		root, strings.Join(webhookPkgs, " or "))
}

// listenFree listens on addr, or explains which variable to change: value
// is its value, example another one to try.
func listenFree(addr, variable, value, example string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) {
			err = oe.Err // "bind: address already in use", without repeating the address
		}
		return nil, fmt.Errorf("%s=%s: cannot listen on %s: %v\n"+
			"Another program (an earlier make run?) may be using it: stop it, or set %s to a free one, e.g. make run %s=%s",
			variable, value, addr, err, variable, variable, example)
	}
	return ln, nil
}

// nextPort is a port, or HOST:PORT, with the port plus one: the error's
// example of another value.
func nextPort(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		n, _ := strconv.Atoi(addr)
		return strconv.Itoa(n + 1)
	}
	n, _ := strconv.Atoi(port)
	return net.JoinHostPort(host, strconv.Itoa(n+1))
}

// reachable is the listener's address for URLs: an unspecified host
// (EMULATOR_ADDR=:8090, 0.0.0.0:8090) becomes 127.0.0.1, and [::]:8090
// becomes [::1].
func reachable(configured string, addr net.Addr) string {
	_, port, _ := net.SplitHostPort(addr.String())
	host, _, _ := net.SplitHostPort(configured)
	switch ip := net.ParseIP(host); {
	case host == "" || (ip != nil && ip.IsUnspecified() && ip.To4() != nil):
		host = "127.0.0.1"
	case ip != nil && ip.IsUnspecified():
		host = "::1"
	}
	return net.JoinHostPort(host, port)
}
