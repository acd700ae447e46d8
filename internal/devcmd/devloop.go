package devcmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/emulator"
)

// Paths of the plain-HTTP adapter (package adapters/http, not imported so
// that the sociogram command stays small).
const (
	botWebhookPath = "/webhook"
	botHealthPath  = "/healthz"
)

// runDev checks both ports, starts the emulator and runs the loop until ctx
// ends.
func runDev(ctx context.Context, o devOptions, stdout, stderr io.Writer) error {
	root, err := moduleRoot(o.dir)
	if err != nil {
		return err
	}
	pkg, err := botPackage(root, o.pkg)
	if err != nil {
		return err
	}
	ln, err := listenFree(o.emuAddr, EnvEmulatorAddr, o.emuAddr, nextPort(o.emuAddr))
	if err != nil {
		return err
	}
	defer ln.Close()
	botAddr := net.JoinHostPort(config.DefaultHost, o.port)
	probe, err := listenFree(botAddr, EnvDevPort, o.port, nextPort(o.port))
	if err != nil {
		return err
	}
	probe.Close()
	tmp, err := os.MkdirTemp("", "sociogram-dev-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	base := "http://" + reachable(o.emuAddr, ln.Addr())
	l := &devLoop{root: root, pkg: pkg, tmp: tmp, goCmd: o.goCmd, stdout: stdout, stderr: stderr,
		emuURL: base + "/", botURL: "http://" + botAddr + botWebhookPath, healthURL: "http://" + botAddr + botHealthPath,
		env: o.botEnv(base)}
	l.emu, err = emulator.New(o.token, emulator.WithBotURL(l.botURL), emulator.WithAllowedHost(o.emuAddr), // as sociogram emulator
		emulator.WithUser(12345, "Alice"), emulator.WithUser(67890, "Bob"))
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: l.emu, ReadHeaderTimeout: 5 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }} // ends long-polls on Ctrl-C
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	return l.run(ctx, served)
}

// botEnv is what the bot's environment gets on top of this process's: the
// dev token, the emulator as its Bot API, loopback and the port, the
// development endpoints, the reply queue choice.
func (o devOptions) botEnv(apiURL string) []string {
	return []string{config.EnvToken + "=" + o.token, config.EnvAPIURL + "=" + apiURL,
		config.EnvHost + "=" + config.DefaultHost, config.EnvPort + "=" + o.port,
		config.EnvDev + "=1", config.EnvReplyQueue + "=" + o.replyQueue}
}

// devLoop builds and restarts the bot as its module changes.
type devLoop struct {
	root, pkg, tmp, goCmd string
	emuURL, botURL        string
	healthURL             string
	env                   []string // added to the bot's environment
	stdout, stderr        io.Writer
	emu                   *emulator.Emulator
	bot                   *botProc // nil when none runs
	builds, starts        int
}

func (l *devLoop) run(ctx context.Context, served <-chan error) error {
	w := newWatcher(l.root)
	snap := w.scan()
	l.rebuild(ctx, time.Now(), nil)
	if ctx.Err() != nil {
		l.stopBot()
		return nil
	}
	if err := l.emulatorAnswers(ctx); err != nil {
		l.stopBot()
		return err
	}
	l.printURL()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			fmt.Fprintln(l.stdout, "stopping the bot and the emulator")
			l.stopBot()
			return nil
		case err := <-served:
			l.stopBot()
			return fmt.Errorf("the emulator stopped: %w", err)
		case <-l.botDone():
			l.botExited()
		case <-tick.C:
			s := w.scan()
			if ch := changed(snap, s); len(ch) > 0 {
				seen := time.Now()
				snap = w.settle(ctx, s)
				l.rebuild(ctx, seen, ch)
			}
		}
	}
}

// botDone is closed when the running bot exits; nil (never ready) when
// none runs.
func (l *devLoop) botDone() <-chan struct{} {
	if l.bot == nil {
		return nil
	}
	return l.bot.done
}

// botExited reports a bot that ended by itself.
func (l *devLoop) botExited() {
	how := l.bot.exited()
	os.Remove(l.bot.bin)
	l.bot = nil
	fmt.Fprintf(l.stderr, "\nthe bot stopped (%s); its log is above. Save a change to restart it.\n", how)
	l.status(emulator.DevStopped, "the bot stopped: "+how)
}

func (l *devLoop) stopBot() {
	if l.bot != nil {
		l.bot.stop()
		l.bot = nil
	}
}

// status tells the chat page.
func (l *devLoop) status(state, detail string) {
	l.emu.SetDevStatus(emulator.DevStatus{State: state, Detail: detail, Restarts: l.starts, Serving: l.bot != nil})
}

// rebuild builds the bot and, if the build succeeds and the binary
// differs from the running one, replaces the running bot with it. seen is
// when the change was noticed; files are the changed paths, for the
// terminal.
func (l *devLoop) rebuild(ctx context.Context, seen time.Time, files []string) {
	l.builds++
	what := "building the bot..."
	if len(files) > 0 {
		what = describe(files) + " changed: " + what
	}
	fmt.Fprintln(l.stdout, what)
	l.status(emulator.DevBuilding, "")
	bin := filepath.Join(l.tmp, fmt.Sprintf("bot-%d", l.builds))
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if out, err := build(ctx, l.goCmd, l.root, l.pkg, bin); err != nil {
		if ctx.Err() != nil {
			return
		}
		l.failed(out)
		return
	}
	hash, err := fileHash(bin)
	if err != nil {
		l.failed(err.Error())
		return
	}
	if l.bot != nil && hash == l.bot.hash {
		os.Remove(bin)
		fmt.Fprintln(l.stdout, "the bot's binary is unchanged: not restarted")
		l.status(emulator.DevRunning, "")
		return
	}
	l.restart(ctx, seen, bin, hash)
}

// failed reports a failed build; the running bot, if any, keeps serving.
func (l *devLoop) failed(out string) {
	keeps := "no bot is running"
	if l.bot != nil {
		keeps = "the previous bot keeps serving"
	}
	fmt.Fprintf(l.stderr, "\nbuild failed (%s):\n%s\n\nFix it and save: sociogram dev rebuilds.\n\n", keeps, out)
	l.status(emulator.DevFailed, out)
}

// restart stops the running bot, starts bin and waits until it answers.
func (l *devLoop) restart(ctx context.Context, seen time.Time, bin string, hash [32]byte) {
	if l.bot != nil {
		old := l.bot.bin
		l.stopBot()
		os.Remove(old)
	}
	p, err := startBot(bin, l.root, l.env, l.stdout, l.stderr)
	if err != nil {
		l.failed(fmt.Sprintf("cannot start %s: %v", bin, err))
		return
	}
	p.hash = hash
	l.bot = p
	l.starts++
	if err := p.waitReady(ctx, l.healthURL); err != nil {
		if ctx.Err() != nil {
			return
		}
		if errors.Is(err, errBotExited) {
			return // the loop reports it: botDone is closed
		}
		fmt.Fprintf(l.stderr, "\n%v\n", err)
		l.status(emulator.DevStopped, err.Error())
		return
	}
	verb := "started"
	if l.starts > 1 {
		verb = "restarted"
	}
	fmt.Fprintf(l.stdout, "bot %s in %.1fs\n", verb, time.Since(seen).Seconds())
	l.status(emulator.DevRunning, "")
}

// emulatorAnswers checks the chat page answers before its URL is printed.
func (l *devLoop) emulatorAnswers(ctx context.Context) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, l.emuURL, nil)
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return fmt.Errorf("the emulator does not answer at %s: %w", l.emuURL, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the emulator answers %s with %d", l.emuURL, resp.StatusCode)
	}
	return nil
}

// printURL prints the one URL to open, and what else runs.
func (l *devLoop) printURL() {
	state := "its log follows"
	if l.bot == nil || l.bot.hasExited() {
		state = "not running: see above"
	}
	fmt.Fprintf(l.stdout, "\n  Open %s to chat with the bot.\n", l.emuURL)
	fmt.Fprintf(l.stdout, "  (bot: %s, %s; saving a change rebuilds and restarts it; Ctrl-C stops both)\n\n", l.botURL, state)
}

// describe names up to three changed files.
func describe(files []string) string {
	if len(files) > 3 {
		return strings.Join(files[:3], ", ") + fmt.Sprintf(" and %d more", len(files)-3)
	}
	return strings.Join(files, ", ")
}
