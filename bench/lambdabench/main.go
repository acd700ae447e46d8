// Command lambdabench measures the Lambda bootstrap beside the minimal
// aws-lambda-go function in bench/lambdafloor, in the same run: binary size
// (as built for Lambda, arm64 and this machine's architecture), cold start
// under the Lambda runtime interface emulator (from starting aws-lambda-rie to
// the first successful invocation) and warm per-invocation latency (one
// invocation at a time, as the emulator requires). Both answer an HTTP API
// event carrying a "hello" chat-message by sending one reply to a local fake
// Bot API, so they do the same work.
//
//	go run ./bench/lambdabench -rie bin/tools/aws-lambda-rie   (make bench-lambda)
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sociogram-kit/kit/sociogramtest"
)

const token = "bench-token-1c9e"

type target struct {
	name, pkg string
	bin       string
	sizes     map[string]int64
	cold      []time.Duration
	warm      []time.Duration
}

func main() {
	rie := flag.String("rie", "bin/tools/aws-lambda-rie", "path of aws-lambda-rie")
	colds := flag.Int("cold", 15, "cold starts per function (alternating)")
	warms := flag.Int("warm", 300, "warm invocations per function, after its first cold start")
	flag.Parse()
	if err := run(*rie, *colds, *warms); err != nil {
		fmt.Fprintln(os.Stderr, "lambdabench:", err)
		os.Exit(1)
	}
}

func run(rie string, colds, warms int) error {
	dir, err := os.MkdirTemp("", "lambdabench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	targets := []*target{
		{name: "kit bootstrap", pkg: "./adapters/lambda/cmd/bootstrap"},
		{name: "floor (bench/lambdafloor)", pkg: "./bench/lambdafloor"},
	}
	for i, t := range targets {
		t.sizes = map[string]int64{}
		for _, arch := range []string{"arm64", runtime.GOARCH} {
			out := filepath.Join(dir, fmt.Sprintf("%d-%s", i, arch))
			if err := build(t.pkg, arch, out); err != nil {
				return err
			}
			st, err := os.Stat(out)
			if err != nil {
				return err
			}
			t.sizes[arch] = st.Size()
			t.bin = out // the last one is this machine's
		}
	}

	api := sociogramtest.NewAPI(token, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go http.Serve(ln, api)
	apiURL := "http://" + ln.Addr().String()
	event, err := helloEvent()
	if err != nil {
		return err
	}

	for i := range colds {
		for _, t := range targets {
			api.Reset()
			cold, warm, err := measure(rie, t.bin, apiURL, event, warmCount(i, warms))
			if err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			if got, want := len(api.Sent()), 1+len(warm); got != want {
				return fmt.Errorf("%s: the fake Bot API got %d replies, want %d", t.name, got, want)
			}
			t.cold = append(t.cold, cold)
			t.warm = append(t.warm, warm...)
		}
	}
	report(targets, colds, runtime.GOARCH)
	return nil
}

// warmCount measures warm latency after the first cold start only.
func warmCount(i, warms int) int {
	if i == 0 {
		return warms
	}
	return 0
}

func build(pkg, arch, out string) error {
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w -buildid=", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	return nil
}

func helloEvent() ([]byte, error) {
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "POST /webhook", RawPath: "/webhook",
		Headers: map[string]string{"content-type": "application/json", "x-app-key": token},
		Body:    string(sociogramtest.ChatMessage(12345, "Hello bot!")),
	}
	ev.RequestContext.DomainName = "abc123.execute-api.eu-west-1.amazonaws.com"
	ev.RequestContext.HTTP.Method = http.MethodPost
	ev.RequestContext.HTTP.Path = "/webhook"
	ev.RequestContext.HTTP.SourceIP = "203.0.113.7"
	return json.Marshal(ev)
}

// measure starts bootstrap under the emulator, times the first successful
// invocation from the emulator's start, then times warm invocations.
func measure(rie, bootstrap, apiURL string, event []byte, warm int) (time.Duration, []time.Duration, error) {
	p1, p2, err := freePort(), freePort(), error(nil)
	cmd := exec.Command("timeout", "120", rie,
		"--runtime-interface-emulator-address", "127.0.0.1:"+strconv.Itoa(p1),
		"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(p2), bootstrap)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "SOCIOGRAM_BOT_TOKEN=" + token,
		"SOCIOGRAM_API_URL=" + apiURL, "SOCIOGRAM_RATE_LIMIT=off"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, nil, err
	}
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	}()
	url := fmt.Sprintf("http://127.0.0.1:%d/2015-03-31/functions/function/invocations", p1)
	for {
		err = invoke(url, event)
		if err == nil {
			break
		}
		if time.Since(start) > 30*time.Second {
			return 0, nil, fmt.Errorf("no successful invocation within 30 s: %w", err)
		}
		time.Sleep(time.Millisecond)
	}
	cold := time.Since(start)
	lat := make([]time.Duration, 0, warm)
	for range warm {
		t0 := time.Now()
		if err := invoke(url, event); err != nil {
			return 0, nil, err
		}
		lat = append(lat, time.Since(t0))
	}
	return cold, lat, nil
}

var errNotReady = errors.New("not ready")

func invoke(url string, event []byte) error {
	resp, err := http.Post(url, "application/json", bytes.NewReader(event))
	if err != nil {
		return errNotReady
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out struct {
		StatusCode int `json:"statusCode"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(body, &out) != nil || out.StatusCode != 200 {
		return fmt.Errorf("invocation answered %d: %s", resp.StatusCode, body)
	}
	return nil
}

func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func pct(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func report(ts []*target, colds int, arch string) {
	fmt.Printf("| function | size arm64 | size %s | cold start median (min-max, n=%d) | warm p50 | warm p99 (n=%d) |\n", arch, colds, len(ts[0].warm))
	fmt.Println("|---|---|---|---|---|---|")
	for _, t := range ts {
		fmt.Printf("| %s | %d B | %d B | %s (%s-%s) | %s | %s |\n", t.name, t.sizes["arm64"], t.sizes[arch],
			ms(pct(t.cold, 0.5)), ms(slices.Min(t.cold)), ms(slices.Max(t.cold)), ms(pct(t.warm, 0.5)), ms(pct(t.warm, 0.99)))
	}
	k, f := pct(ts[0].cold, 0.5), pct(ts[1].cold, 0.5)
	fmt.Printf("\ncold start ratio kit/floor (medians): %.2f\n", float64(k)/float64(f))
}
