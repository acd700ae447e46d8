package devcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/emulator"
)

// DefaultEmulatorAddr is where the emulator listens unless EMULATOR_ADDR
// says otherwise.
const DefaultEmulatorAddr = "127.0.0.1:8090"

// Emulator runs the local stand-in for the Sociogram platform until ctx is
// cancelled: the chat page that sends webhooks to the bot, and the Bot API
// the bot replies through.
//
// Environment: SOCIOGRAM_BOT_TOKEN (required: the token webhooks carry and
// API calls must carry), EMULATOR_ADDR (default DefaultEmulatorAddr), BOT_URL
// (where webhooks go, default emulator.DefaultBotURL; the page can change
// it). It takes no arguments but -h. Errors are printed to stderr prefixed
// with name.
func Emulator(ctx context.Context, name string, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s\n", name)
		fmt.Fprintln(stderr, "Runs the local Sociogram stand-in: a chat page that sends webhooks to the bot, and the Bot API it replies through.")
		fmt.Fprintf(stderr, "Environment: %s (required), EMULATOR_ADDR (default %s), BOT_URL (default %s).\n",
			config.EnvToken, DefaultEmulatorAddr, emulator.DefaultBotURL)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q (configure it with EMULATOR_ADDR and BOT_URL)\n", name, fs.Arg(0))
		return ExitUsage
	}
	if err := runEmulator(ctx, getenv, stdout); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return ExitFailed
	}
	return ExitOK
}

func runEmulator(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	token := getenv(config.EnvToken)
	if token == "" {
		return config.ErrNoToken
	}
	botURL := envOr(getenv, EnvBotURL, emulator.DefaultBotURL)
	addr := envOr(getenv, EnvEmulatorAddr, DefaultEmulatorAddr)
	if err := checkHostPort(EnvEmulatorAddr, addr, DefaultEmulatorAddr); err != nil {
		return err
	}
	emu, err := emulator.New(token, emulator.WithBotURL(botURL), emulator.WithAllowedHost(addr), // its own address in Host
		emulator.WithUser(12345, "Alice"), emulator.WithUser(67890, "Bob"))
	if errors.Is(err, emulator.ErrBadBotURL) {
		return fmt.Errorf("%s=%q: want an absolute http:// or https:// URL with a host, e.g. %s", EnvBotURL, botURL, emulator.DefaultBotURL)
	}
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) {
			err = oe.Err // "bind: address already in use", without repeating the address
		}
		return fmt.Errorf("%s=%s: cannot listen there: %v; stop what uses it, or set %s to a free HOST:PORT, e.g. %s",
			EnvEmulatorAddr, addr, err, EnvEmulatorAddr, nextPort(addr))
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "emulator: chat page     %s/\n", base)
	fmt.Fprintf(stdout, "emulator: Bot API       %s%s (give the bot SOCIOGRAM_API_URL=%s)\n", base, emulator.SendPath, base)
	fmt.Fprintf(stdout, "emulator: webhooks go to %s\n", botURL)
	srv := &http.Server{Handler: emu, ReadHeaderTimeout: 5 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }} // ends long-polls on Ctrl-C
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// EnvBotURL is where the emulator delivers webhooks, and trigger's default
// bot URL.
const EnvBotURL = "BOT_URL"

// checkHostPort checks a HOST:PORT variable's value: a host (or none, for
// every interface) and a port number from 0 to 65535. The error names the
// variable, the value and an example.
func checkHostPort(variable, value, example string) error {
	_, port, err := net.SplitHostPort(value)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 || strings.Trim(port, "0123456789") != "" {
		return fmt.Errorf("%s=%q: want HOST:PORT, e.g. %s (a port number from 0 to 65535)", variable, value, example)
	}
	return nil
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}
