// Command sociogram is the Sociogram bot kit's command line:
//
//	sociogram new [-kit PATH] [-example NAME] MODULE [DIR]   write a new bot project
//	sociogram dev                                            run the bot beside the chat page; rebuild and restart it on every save
//	sociogram emulator                                       the local Sociogram stand-in (chat page + Bot API)
//	sociogram trigger [-url URL] ...                         send one webhook to a bot
//	sociogram gcf-source ...                                 the Cloud Functions upload of a bot project
//
// Start a project with `go run github.com/sociogram-kit/kit/cmd/sociogram@latest
// new example.com/mybot`; inside it, `go tool sociogram ...` runs the
// command of the kit version the project requires. The command links no
// cloud SDK, so it builds fast from a cold cache.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one subcommand: its name, a one-line summary for the help, and
// the function that runs it and returns the exit status.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int
}

// commands in the order help lists them.
var commands = []command{
	{"new", "write a new bot project: new [-kit PATH] [-example menu|form] MODULE [DIR]", newCmd},
	{"dev", "run the bot and the chat page; rebuild and restart the bot on every saved change", devCmd},
	{"emulator", "run the local Sociogram stand-in: a chat page and the Bot API", emulatorCmd},
	{"trigger", "send one webhook to a bot and print its answer", triggerCmd},
	{"gcf-source", "the files of a bot project's Cloud Functions upload", func(_ context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) int {
		return gcfSource(args, stdout, stderr)
	}},
}

const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(ctx, args[1:], getenv, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "sociogram: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: sociogram <command> [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "sociogram <command> -h" for a command's options.`)
}
