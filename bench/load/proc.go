package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Kinds of target: how the harness starts it and delivers a webhook.
const (
	kindHTTP   = "http"   // a plain-HTTP server: POST /webhook
	kindGCF    = "gcf"    // functions-framework-go: POST / (FUNCTION_TARGET=Webhook)
	kindLambda = "lambda" // a bootstrap under aws-lambda-rie: HTTP API events, one at a time
)

// target is a server under test.
type target struct {
	name string // "kit" or "floor" (or "kit-warn")
	path string
	env  []string // extra environment
	kind string   // kindHTTP (the default), kindGCF or kindLambda
	rie  string   // aws-lambda-rie, for kindLambda
}

// child is a running server under test.
type child struct {
	cmd    *exec.Cmd
	pid    int    // the process measured: the server, or the bootstrap under rie
	url    string // the webhook URL, or rie's invoke URL
	base   string // http://host:port
	lambda bool   // url takes Lambda events (see deliver)
	out    *tail

	began, listening time.Time // exec, and the port first accepting (coldStart)
}

// start runs t with the fake API's URL and rate spacing on or off, and
// returns once ready reports success (see coldStart and healthy).
func start(ctx context.Context, t target, apiURL string, rateLimit bool, ready func(context.Context, *child) error) (*child, time.Duration, error) {
	c, err := launch(t, apiURL, rateLimit, nil)
	if err != nil {
		return nil, 0, err
	}
	rctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := ready(rctx, c); err != nil {
		c.stop()
		return nil, 0, fmt.Errorf("%s did not become ready: %w\n%s", t.name, err, c.out)
	}
	d := time.Since(c.began)
	if t.kind == kindLambda {
		if c.pid, err = descendant(c.cmd.Process.Pid, t.path); err != nil {
			c.stop()
			return nil, 0, fmt.Errorf("%s: %w\n%s", t.name, err, c.out)
		}
	}
	return c, d, nil
}

// launch execs t in a process group of its own (a bootstrap under
// `timeout 300 aws-lambda-rie`), with extra environment, and returns at once.
func launch(t target, apiURL string, rateLimit bool, extra []string) (*child, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	rl := "off"
	if rateLimit {
		rl = "on"
	}
	c := &child{base: "http://127.0.0.1:" + port, out: &tail{}}
	switch t.kind {
	case kindGCF:
		c.url = c.base + "/"
	case kindLambda:
		c.url, c.lambda = c.base+"/2015-03-31/functions/function/invocations", true
	default:
		c.url = c.base + "/webhook"
	}
	if t.kind == kindLambda {
		apiPort, err := freePort()
		if err != nil {
			return nil, err
		}
		c.cmd = exec.Command("timeout", "300", t.rie,
			"--runtime-interface-emulator-address", "127.0.0.1:"+port,
			"--runtime-api-address", "127.0.0.1:"+apiPort, t.path)
	} else {
		c.cmd = exec.Command(t.path)
	}
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"SOCIOGRAM_BOT_TOKEN=" + benchToken, "SOCIOGRAM_API_URL=" + apiURL,
		"SOCIOGRAM_RATE_LIMIT=" + rl, "PORT=" + port, "HOST=127.0.0.1",
	}
	c.cmd.Env = append(append(c.cmd.Env, t.env...), extra...)
	c.cmd.Stdout, c.cmd.Stderr = c.out, c.out
	c.began = time.Now()
	if err := c.cmd.Start(); err != nil {
		return nil, err
	}
	c.pid = c.cmd.Process.Pid
	return c, nil
}

// descendant finds the process below pid running the executable exe (the
// bootstrap that aws-lambda-rie started).
func descendant(pid int, exe string) (int, error) {
	want, err := filepath.EvalSymlinks(exe)
	if err != nil {
		return 0, err
	}
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if got, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", p)); err == nil && got == want {
			return p, nil
		}
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", p))
		for _, f := range tasks {
			b, _ := os.ReadFile(f)
			for _, s := range strings.Fields(string(b)) {
				if n, err := strconv.Atoi(s); err == nil {
					queue = append(queue, n)
				}
			}
		}
	}
	return 0, fmt.Errorf("no process of %s under pid %d", exe, pid)
}

// coldStart is ready when a webhook (a "hello" from a fresh user) answers
// 200, so start's duration is exec to first 200. It first waits for the port
// to accept connections and records when (c.listening), to tell start-up
// from the first request.
func coldStart(ctx context.Context, c *child) error {
	if c.lambda {
		return lambdaReady(ctx, c)
	}
	for {
		conn, err := net.Dial("tcp", strings.TrimPrefix(c.base, "http://"))
		if err == nil {
			conn.Close()
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Microsecond):
		}
	}
	c.listening = time.Now()
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	st, err := post(ctx, hc, c.url, helloBody(999_999))
	if err == nil && st != http.StatusOK {
		err = fmt.Errorf("first webhook answered %d", st)
	}
	return err
}

// lambdaReady invokes a "hello" until one succeeds: invocations refused
// while aws-lambda-rie starts never reach the bootstrap; the first that it
// accepts waits for the bootstrap's start. c.listening is when rie accepted.
func lambdaReady(ctx context.Context, c *child) error {
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	ev := lambdaEvent(helloBody(999_999))
	for {
		if conn, err := net.Dial("tcp", strings.TrimPrefix(c.base, "http://")); err == nil {
			conn.Close()
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Microsecond):
		}
	}
	c.listening = time.Now()
	st, err := invoke(ctx, hc, c.url, ev)
	if err == nil && st != http.StatusOK {
		err = fmt.Errorf("first invocation answered %d", st)
	}
	return err
}

// healthy is ready when GET /healthz answers, without sending a reply (the
// burst must find the rate limiter untouched).
func healthy(ctx context.Context, c *child) error {
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/healthz", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}

// stop kills the child's process group (rie and its bootstrap) and waits.
func (c *child) stop() {
	syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
	c.cmd.Wait()
}

// cpu returns the CPU time the process has used so far: the sum over its
// threads of /proc/PID/task/TID/schedstat (nanoseconds on a CPU), falling
// back to utime+stime of /proc/PID/stat (clock ticks) when schedstat is
// missing.
func (c *child) cpu() (time.Duration, error) {
	pid := c.pid
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err == nil && len(tasks) > 0 {
		var total int64
		for _, p := range tasks {
			b, err := os.ReadFile(p)
			if err != nil {
				continue // a thread that just exited
			}
			f := strings.Fields(string(b))
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				total += n
			}
		}
		return time.Duration(total), nil
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return statCPU(string(b))
}

// statCPU reads utime+stime from a /proc/PID/stat line, at 100 ticks a second.
func statCPU(stat string) (time.Duration, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("malformed /proc/PID/stat")
	}
	f := strings.Fields(stat[i+1:])
	if len(f) < 13 {
		return 0, errors.New("short /proc/PID/stat")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}

// peakRSS returns VmHWM, the process's peak resident set, in bytes.
func (c *child) peakRSS() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.pid))
	if err != nil {
		return 0, err
	}
	return statusField(string(b), "VmHWM")
}

// statusField reads a "Name:   123 kB" line of /proc/PID/status, in bytes.
func statusField(status, name string) (int64, error) {
	for _, line := range strings.Split(status, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || k != name {
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("malformed %s line %q", name, line)
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		return n * 1024, err
	}
	return 0, fmt.Errorf("no %s in /proc/PID/status", name)
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port, nil
}

// tail keeps the last 8 KiB written to it: the child's log, for errors.
type tail struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if t.buf.Len() > 16<<10 {
		b := t.buf.Bytes()
		keep := append([]byte(nil), b[len(b)-8<<10:]...)
		t.buf.Reset()
		t.buf.Write(keep)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}
