package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/emulator"
)

var devEdits = flag.Int("dev.edits", 1, "TestDev: how many timed edits of bot/bot.go (save to the new bot's answer in the emulator), for BENCHMARKS.md")

// TestDev runs the sociogram command's dev loop, as `make run` in a
// generated project starts it, on a project of `sociogram new -kit` (this
// checkout): it chats through the emulator's scripting API, edits
// bot/bot.go and sees the new reply with the first exchange still in the
// emulator's history, breaks the build (the error in the terminal and on the
// page, the old bot still answering), repairs it, saves a bot that panics at
// start (shown as stopped) and a good one again, and stops everything with
// SIGINT. Each wait is on a signal of the emulator (its long-polled state);
// -dev.edits N times N more edits.
func TestDev(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the sociogram command and a generated project's bot")
	}
	bin := filepath.Join(t.TempDir(), "sociogram")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := filepath.Join(t.TempDir(), "devbot")
	if code, out := runNew(t, "-kit", kitRootAbs(t), "example.com/devbot", dir); code != exitOK {
		t.Fatalf("sociogram new: exit %d\n%s", code, out)
	}
	botGo := filepath.Join(dir, "bot", "bot.go")
	original, err := os.ReadFile(botGo)
	if err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	d := startDev(t, bin, dir)
	t.Logf("sociogram dev printed its URL %.1fs after it started (build included)", time.Since(started).Seconds())
	if st := d.waitDev(t, "the first start", func(s emulator.DevStatus) bool { return s.State == emulator.DevRunning }); st.Restarts != 1 || !st.Serving {
		t.Fatalf("dev status after the start: %+v", st)
	}
	first := `Hello there! You said: "hello"`
	if got := d.say(t, "hello"); got != first {
		t.Fatalf("the bot answered %q, want %q", got, first)
	}

	// A saved change: the bot is rebuilt and restarted, the emulator keeps
	// its history.
	edited := bytes.Replace(original, []byte("Hello there! You said: "), []byte("Hi again! You said: "), 1)
	took := d.edit(t, botGo, edited, 2, 12345, `Hi again! You said: "hello"`)
	t.Logf("save to the new reply: %s", took.Round(time.Millisecond))
	d.waitOutput(t, "bot restarted in ")
	st := d.state(t)
	var texts []string
	for _, e := range st.Chats[12345] {
		texts = append(texts, e.From+": "+e.Text)
	}
	if want := []string{"user: hello", "bot: " + first, "user: hello", `bot: Hi again! You said: "hello"`}; !slices.Equal(texts, want) {
		t.Errorf("Alice's chat after the restart:\n%q\nwant\n%q", texts, want)
	}
	if len(st.Log) < 4 || st.Log[0].Summary != `chat-message "hello" from 12345` {
		t.Errorf("the delivery log lost the first exchange: %+v", st.Log)
	}

	// A broken edit: the build error in the terminal and on the page; the
	// bot of the last good build keeps answering.
	broken := append(bytes.Clone(edited), "\nfunc broken( {\n"...)
	if err := os.WriteFile(botGo, broken, 0o644); err != nil {
		t.Fatal(err)
	}
	failed := d.waitDev(t, "the failed build", func(s emulator.DevStatus) bool { return s.State == emulator.DevFailed })
	if !strings.Contains(failed.Detail, "bot/bot.go:") || !failed.Serving || failed.Restarts != 2 {
		t.Errorf("dev status of the failed build: %+v", failed)
	}
	d.waitOutput(t, "build failed (the previous bot keeps serving)")
	d.waitOutput(t, "bot/bot.go:")
	if got := d.say(t, "hello"); got != `Hi again! You said: "hello"` {
		t.Errorf("during the failed build the bot answered %q", got)
	}
	// Repaired as it was: the same binary as the running bot, not restarted.
	if err := os.WriteFile(botGo, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	if st := d.waitDev(t, "the repaired build", func(s emulator.DevStatus) bool { return s.State == emulator.DevRunning }); st.Restarts != 2 {
		t.Errorf("the repair restarted the bot: %+v", st)
	}
	d.waitOutput(t, "the bot's binary is unchanged: not restarted")

	// A bot that builds but dies at start: the page says it stopped; the
	// next good save starts a bot again (the timed edits below).
	crash := bytes.Replace(edited, []byte("func Register(b *handler.Mux) {"), []byte("func Register(b *handler.Mux) {\n\tpanic(\"boom\")"), 1)
	if err := os.WriteFile(botGo, crash, 0o644); err != nil {
		t.Fatal(err)
	}
	if st := d.waitDev(t, "the stopped bot", func(s emulator.DevStatus) bool { return s.State == emulator.DevStopped }); st.Serving || st.Restarts != 3 {
		t.Errorf("dev status of a bot that panicked: %+v", st)
	}
	d.waitOutput(t, "the bot stopped (exit status 2)")

	d.timeEdits(t, botGo, original, 4, *devEdits)

	// Ctrl-C: sociogram dev stops the bot and the emulator and exits 0.
	d.interrupt(t)
	if d.err != nil {
		t.Errorf("sociogram dev exited with %v after SIGINT, want status 0", d.err)
	}
	d.stopped(t)
}

// stopped checks that neither the bot nor the emulator answers any more.
func (d *devProc) stopped(t *testing.T) {
	t.Helper()
	hc := &http.Client{Timeout: time.Second}
	for _, u := range []string{"http://127.0.0.1:" + d.port + "/healthz", d.url} {
		if resp, err := hc.Get(u); err == nil {
			resp.Body.Close()
			t.Errorf("%s still answers after sociogram dev exited", u)
		}
	}
}

// devProc is a running `sociogram dev`.
type devProc struct {
	cmd    *exec.Cmd
	out    *syncBuffer
	exited chan struct{}
	err    error
	url    string // the chat page, from the command's output
	port   string // the bot's
	sigint func(*os.Process) error
}

// startDev starts `sociogram dev` in dir on a free port and waits for the
// URL it prints.
func startDev(t *testing.T, bin, dir string) *devProc {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(bin, "dev")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PORT="+port, "EMULATOR_ADDR=127.0.0.1:0")
	return startDevCmd(t, cmd, port, func(p *os.Process) error { return p.Signal(os.Interrupt) })
}

// startDevCmd starts cmd, which runs sociogram dev with the bot on port,
// and waits for the URL it prints; interrupt is how Ctrl-C reaches it.
func startDevCmd(t *testing.T, cmd *exec.Cmd, port string, interrupt func(*os.Process) error) *devProc {
	t.Helper()
	d := &devProc{cmd: cmd, out: &syncBuffer{wrote: make(chan struct{}, 1)}, exited: make(chan struct{}), port: port, sigint: interrupt}
	d.cmd.Stdout, d.cmd.Stderr = d.out, d.out
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.err = d.cmd.Wait(); close(d.exited) }()
	t.Cleanup(func() {
		select {
		case <-d.exited:
		default:
			d.sigint(d.cmd.Process)
			select {
			case <-d.exited:
			case <-time.After(20 * time.Second):
				d.cmd.Process.Kill()
			}
		}
		if t.Failed() {
			t.Logf("sociogram dev's output:\n%s", d.out.String())
		}
	})
	m := d.waitOutput(t, "Open http://")
	d.url = regexp.MustCompile(`Open (http://\S+/) to chat`).FindStringSubmatch(m)[1]
	return d
}

// waitOutput waits until the output contains s and returns the output.
func (d *devProc) waitOutput(t *testing.T, s string) string {
	t.Helper()
	deadline := time.After(3 * time.Minute)
	for {
		if out := d.out.String(); strings.Contains(out, s) {
			return out
		}
		select {
		case <-d.out.wrote:
		case <-d.exited:
			if out := d.out.String(); strings.Contains(out, s) {
				return out
			}
			t.Fatalf("sociogram dev exited (%v) before printing %q:\n%s", d.err, s, d.out.String())
		case <-deadline:
			t.Fatalf("sociogram dev did not print %q:\n%s", s, d.out.String())
		}
	}
}

// state is the emulator's state; after > 0 long-polls for a newer one.
func (d *devProc) stateAfter(t *testing.T, after int64) emulator.State {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("%semulator/state?after=%d", d.url, after))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st emulator.State
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func (d *devProc) state(t *testing.T) emulator.State { t.Helper(); return d.stateAfter(t, 0) }

// waitDev long-polls the emulator until its dev status satisfies ok.
func (d *devProc) waitDev(t *testing.T, what string, ok func(emulator.DevStatus) bool) emulator.DevStatus {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	var v int64
	for time.Now().Before(deadline) {
		st := d.stateAfter(t, v)
		if st.Dev != nil && ok(*st.Dev) {
			return *st.Dev
		}
		v = st.Version
		select {
		case <-d.exited:
			t.Fatalf("sociogram dev exited (%v) waiting for %s", d.err, what)
		default:
		}
	}
	t.Fatalf("no %s in the emulator's dev status", what)
	return emulator.DevStatus{}
}

// say makes Alice (uid 12345) write text and returns the bot's first reply
// to it ("" for none).
func (d *devProc) say(t *testing.T, text string) string { t.Helper(); return d.sayAs(t, 12345, text) }

// sayAs makes user uid write text and returns the bot's first reply to it.
func (d *devProc) sayAs(t *testing.T, uid int64, text string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"uid": uid, "text": text})
	resp, err := http.Post(d.url+"emulator/message", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out emulator.Outcome
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || !out.Log.OK {
		t.Fatalf("POST /emulator/message: %d %v %+v", resp.StatusCode, err, out.Log)
	}
	for _, e := range d.state(t).Chats[uid] {
		if e.ID > out.ChatEntry && e.From == emulator.FromBot {
			return e.Text
		}
	}
	return ""
}

// edit saves bot/bot.go, waits for the bot's start number starts, checks
// the new reply to "hello" from uid and returns the time from the save to
// it. uid 0 is a new user, so that the platform's limit of one message a
// second per user (which the bot's client waits out) is not part of the time.
func (d *devProc) edit(t *testing.T, path string, data []byte, starts int, uid int64, reply string) time.Duration {
	t.Helper()
	if uid == 0 {
		uid = d.newUser(t, fmt.Sprintf("Editor %d", starts))
	}
	saved := time.Now()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	d.waitDev(t, fmt.Sprintf("start %d", starts), func(s emulator.DevStatus) bool {
		return s.State == emulator.DevRunning && s.Restarts == starts
	})
	got := d.sayAs(t, uid, "hello")
	took := time.Since(saved)
	if got != reply {
		t.Fatalf("after the edit the bot answered %q, want %q", got, reply)
	}
	return took
}

// timeEdits saves n edits of the bot's reply to "hello" in botGo (the bot
// starts first, first+1, ...) and logs the time from each save to the new
// reply, and their median.
func (d *devProc) timeEdits(t *testing.T, botGo string, original []byte, first, n int) {
	t.Helper()
	var times []time.Duration
	for i := range n {
		text := fmt.Sprintf("Edit %d! You said: ", i+1)
		next := bytes.Replace(original, []byte("Hello there! You said: "), []byte(text), 1)
		times = append(times, d.edit(t, botGo, next, first+i, 0, text+`"hello"`))
	}
	if len(times) > 0 {
		var ms []string
		for _, d := range times {
			ms = append(ms, fmt.Sprintf("%.2f", d.Seconds()))
		}
		t.Logf("save to the new reply, %d edits: %s s; median %.2f s", n, strings.Join(ms, ", "), median(times).Seconds())
	}
}

// newUser adds a user to the emulator and returns its uid.
func (d *devProc) newUser(t *testing.T, name string) int64 {
	t.Helper()
	body, _ := json.Marshal(emulator.User{Name: name})
	resp, err := http.Post(d.url+"emulator/users", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var u emulator.User
	err = json.NewDecoder(resp.Body).Decode(&u)
	resp.Body.Close()
	if err != nil || u.UID == 0 {
		t.Fatalf("POST /emulator/users: %v %+v", err, u)
	}
	return u.UID
}

// interrupt sends SIGINT and waits for the exit.
func (d *devProc) interrupt(t *testing.T) {
	t.Helper()
	if err := d.sigint(d.cmd.Process); err != nil {
		t.Fatal(err)
	}
	select {
	case <-d.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("sociogram dev did not exit after SIGINT")
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// syncBuffer collects a process's output and signals each write.
type syncBuffer struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	wrote chan struct{}
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	select {
	case b.wrote <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestDevDispatch: the dev command is in the table and its help.
func TestDevDispatch(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"help"}, noEnv, &stdout, &stderr); code != exitOK || !strings.Contains(stdout.String(), "dev ") {
		t.Errorf("help: exit %d, no dev in\n%s", code, stdout.String())
	}
	stdout.Reset()
	if code := run(context.Background(), []string{"dev", "-h"}, noEnv, &stdout, &stderr); code != exitOK || !strings.Contains(stderr.String(), "Usage: sociogram dev") {
		t.Errorf("dev -h: exit %d\n%s", code, stderr.String())
	}
}
