// Command trigger sends one Sociogram webhook, a chat-message or a
// callback-query carrying the bot token, to any webhook URL (the local bot,
// a deployed Lambda or Cloud Functions URL), prints the status and body, and
// exits 0 on a 2xx answer, 1 on any other answer or a failure, 2 on bad
// usage. Like `stripe trigger`, for Sociogram.
//
//	SOCIOGRAM_BOT_TOKEN=... trigger -url https://xyz.lambda-url.eu-west-1.on.aws/ -text hello
//	SOCIOGRAM_BOT_TOKEN=... trigger -callback more_info
//
// The token comes from SOCIOGRAM_BOT_TOKEN (or -token, which other users of
// the machine can see in the process list) and is never printed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/emulator"
)

// DefaultChatID is the chat id from the platform's docs.
const DefaultChatID = "507f1f77bcf86cd799439011"

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

type options struct {
	url, token, chat, text, callback string
	uid                              int64
	timeout                          time.Duration
}

var errUsage = errors.New("usage")

func parse(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("trigger", flag.ContinueOnError)
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
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: trigger [-url URL] [-uid N] (-text TEXT | -callback DATA)")
		fmt.Fprintln(stderr, "Sends one Sociogram webhook carrying the bot token and prints the answer.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, errUsage
	}
	if o.token == "" {
		o.token = strings.TrimSpace(strings.Split(getenv(config.EnvToken), ",")[0])
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case o.token == "":
		return o, fmt.Errorf("no token: set %s or pass -token", config.EnvToken)
	case o.text != "" && o.callback != "":
		return o, errors.New("give -text or -callback, not both")
	case o.uid <= 0:
		return o, errors.New("-uid must be positive")
	case o.text == "" && o.callback == "":
		o.text = "hello"
	}
	return o, nil
}

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	o, err := parse(args, getenv, stderr)
	if err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(stderr, "trigger:", err)
		}
		return exitUsage
	}
	body, what := emulator.ChatMessage(o.uid, o.chat, o.text), fmt.Sprintf("chat-message uid=%d text=%q", o.uid, o.text)
	if o.callback != "" {
		body, what = emulator.CallbackQuery(o.uid, o.chat, o.callback), fmt.Sprintf("callback-query uid=%d callbackData=%q", o.uid, o.callback)
	}
	fmt.Fprintf(stdout, "POST %s\n%s\n", o.url, what)
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	d := emulator.Deliver(ctx, &http.Client{}, o.url, o.token, body)
	if d.Err != nil {
		fmt.Fprintf(stderr, "trigger: no answer after %s: %v\n", d.Latency.Round(time.Millisecond), d.Err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "%d %s (%s)\n", d.Status, http.StatusText(d.Status), d.Latency.Round(time.Millisecond))
	if b := strings.TrimSpace(d.Body); b != "" {
		fmt.Fprintln(stdout, b)
	}
	if !d.OK() {
		fmt.Fprintf(stderr, "trigger: %s\n", d.Failure())
		return exitFailed
	}
	return exitOK
}
