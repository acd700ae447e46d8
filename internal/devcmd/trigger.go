package devcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/emulator"
	"github.com/sociogram-kit/kit/handler"
)

// DefaultChatID is the chat id trigger sends from: the one in the
// platform's docs.
const DefaultChatID = "507f1f77bcf86cd799439011"

// Trigger sends one Sociogram webhook, a chat-message or a callback-query
// carrying the bot token, to any webhook URL (the local bot, a deployed
// Lambda or Cloud Functions URL), prints the status and body, and returns
// ExitOK on a 2xx answer, ExitFailed on any other answer or a failure,
// ExitUsage on bad usage. name is the command as the user typed it, for
// the usage text and errors.
//
// The token comes from SOCIOGRAM_BOT_TOKEN (the first of a comma-separated
// list) or -token, and is never printed; the URL from -url or BOT_URL.
//
// With -emulator (or, when neither -url nor BOT_URL is given, when
// SOCIOGRAM_API_URL is an emulator on this machine) the event goes through
// the emulator's scripting API instead: the emulator delivers it to its bot
// URL as the chat page would, and trigger prints the bot's replies, or
// "no reply" and why (see triggerViaEmulator).
func Trigger(ctx context.Context, name string, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	o, err := parseTrigger(name, args, getenv, stderr)
	if err != nil {
		return parseExit(name, err, stderr)
	}
	if o.emulator != "" {
		if code, done := triggerViaEmulator(ctx, name, o, stdout, stderr); done {
			return code
		}
		if err := o.checkDirect(); err != nil { // SOCIOGRAM_API_URL was no emulator: post directly
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			return ExitUsage
		}
	}
	body, what := emulator.ChatMessage(o.uid, o.chat, o.text), fmt.Sprintf("chat-message uid=%d text=%q", o.uid, o.text)
	if o.callback != "" {
		body, what = emulator.CallbackQuery(o.uid, o.chat, o.callback), fmt.Sprintf("callback-query uid=%d callbackData=%q", o.uid, o.callback)
	}
	fmt.Fprintf(stdout, "POST %s\n%s\n", o.url, what)
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	d := emulator.Deliver(ctx, &http.Client{}, o.url, o.token, body)
	if d.Err != nil {
		fmt.Fprintf(stderr, "%s: no answer after %s: %v\n", name, d.Latency.Round(time.Millisecond), d.Err)
		return ExitFailed
	}
	fmt.Fprintf(stdout, "%d %s (%s)\n", d.Status, http.StatusText(d.Status), d.Latency.Round(time.Millisecond))
	if b := strings.TrimSpace(d.Body); b != "" {
		fmt.Fprintln(stdout, b)
	}
	if d.Outcome != "" { // a bot in development mode says what it did
		fmt.Fprintf(stdout, "%s: %s\n", handler.HeaderOutcome, d.Outcome)
	}
	if !d.OK() {
		fmt.Fprintf(stderr, "%s: %s\n", name, d.Failure())
		return ExitFailed
	}
	return ExitOK
}

type triggerOptions struct {
	url, token, chat, text, callback string
	uid                              int64
	timeout                          time.Duration
	allowHTTP                        bool

	urlFrom      string // where url came from: BOT_URL or -url, for errors
	emulator     string // the emulator's base URL, "" to post directly
	autoEmulator bool   // emulator came from SOCIOGRAM_API_URL: if it is not one, post directly
}

// errUsage: the flag package refused the command line and printed the usage.
var errUsage = errors.New("usage")

// parseExit is a command's exit status for the error of parsing its command
// line: ExitOK for -h, ExitUsage otherwise, saying why unless the flag
// package already did (errUsage).
func parseExit(name string, err error, stderr io.Writer) int {
	switch {
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
	case !errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
	}
	return ExitUsage
}

func parseTrigger(name string, args []string, getenv func(string) string, stderr io.Writer) (triggerOptions, error) {
	var o triggerOptions
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	defURL := getenv("BOT_URL")
	if defURL == "" {
		defURL = emulator.DefaultBotURL
	}
	fs.StringVar(&o.url, "url", defURL, "the bot's webhook URL (default from BOT_URL)")
	fs.StringVar(&o.token, "token", "", "the bot token (default from "+config.EnvToken+"; never printed)")
	fs.Int64Var(&o.uid, "uid", 12345, "the user the event comes from")
	fs.StringVar(&o.chat, "chat", DefaultChatID, "the chat id")
	fs.StringVar(&o.text, "text", "", `send a chat-message with this text (the default, with "hello")`)
	fs.StringVar(&o.callback, "callback", "", "send a callback-query with this callbackData instead")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "how long to wait for the answer")
	fs.BoolVar(&o.allowHTTP, "allow-http", false, "allow a plain http:// URL to a host that is not this machine (the token travels unencrypted)")
	fs.StringVar(&o.emulator, "emulator", "", "send through the emulator at `HOST:PORT` (or its URL), which delivers to its bot URL, and print the bot's replies\n"+
		"(default: SOCIOGRAM_API_URL when it is an emulator on this machine and neither -url nor BOT_URL is given)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s [-url URL | -emulator HOST:PORT] [-uid N] (-text TEXT | -callback DATA)\n", name)
		fmt.Fprintln(stderr, "Sends one Sociogram webhook carrying the bot token and prints the answer;")
		fmt.Fprintln(stderr, "through the emulator, prints the bot's replies (or no reply, and why).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, errUsage
	}
	if o.token == "" {
		o.token = strings.TrimSpace(strings.Split(getenv(config.EnvToken), ",")[0])
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	o.urlFrom = "BOT_URL"
	if set["url"] || getenv("BOT_URL") == "" {
		o.urlFrom = "-url" // given, or the default
	}
	if err := o.chooseEmulator(set, getenv); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case o.text != "" && o.callback != "":
		return o, errors.New("give -text or -callback, not both")
	case o.uid <= 0:
		return o, errors.New("-uid must be positive")
	case o.text == "" && o.callback == "":
		o.text = "hello"
	}
	if o.emulator == "" {
		return o, o.checkDirect()
	}
	return o, nil
}

// checkDirect checks what posting straight to the bot needs: a URL the
// token may go to, and the token.
func (o *triggerOptions) checkDirect() error {
	if err := config.CheckTokenURL(o.urlFrom, o.url, o.allowHTTP); err != nil {
		return err
	}
	if o.token == "" {
		return fmt.Errorf("no token: set %s or pass -token", config.EnvToken)
	}
	return nil
}
