package testtools

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// gcloudEmulator is one of the Google Cloud CLI's emulators.
type gcloudEmulator struct {
	name     string   // "Firestore", for messages
	platform string   // its folder under the SDK's platform/: "cloud-firestore-emulator"
	pkg      string   // the Debian package that installs it
	args     []string // gcloud's arguments before --host-port: "emulators", "firestore", "start"
}

// startGcloudEmulator runs emu on a free loopback port for the test and
// returns its host:port once it answers HTTP. The test is skipped (failed
// under KIT_REQUIRE_TOOLS=1) when gcloud, the emulator or java is missing.
//
// gcloud forks the emulator's Java process, which outlives a plain kill of
// gcloud: the emulator runs in its own process group, and the whole group is
// killed when the test ends.
func startGcloudEmulator(t testing.TB, emu gcloudEmulator) string {
	t.Helper()
	gcloud, err := exec.LookPath("gcloud")
	if err != nil {
		skipOrFail(t, "gcloud not found in PATH: the "+emu.name+" emulator comes with the Google Cloud CLI (package "+emu.pkg+")")
	}
	if sdk, err := filepath.EvalSymlinks(gcloud); err == nil {
		dir := filepath.Join(filepath.Dir(sdk), "..", "platform", emu.platform)
		if _, err := os.Stat(dir); err != nil {
			skipOrFail(t, "the Google Cloud CLI has no "+emu.name+" emulator ("+dir+" is missing: package "+emu.pkg+")")
		}
	}
	if _, err := exec.LookPath("java"); err != nil {
		skipOrFail(t, "java not found in PATH: the "+emu.name+" emulator needs a JRE (OpenJDK 17)")
	}
	host := fmt.Sprintf("127.0.0.1:%d", FreePort(t))
	cmd := exec.Command(gcloud, append(emu.args, "--host-port="+host, "--quiet")...)
	cmd.Env = append(os.Environ(), // gcloud must not try to reach Google
		"CLOUDSDK_CORE_DISABLE_PROMPTS=1",
		"CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=true",
		"CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=true",
	)
	out := &Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the %s emulator: %v", emu.name, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		stopGroup(t, cmd.Process.Pid, exited)
		if t.Failed() {
			t.Logf("output of the %s emulator:\n%s", emu.name, out.String())
		}
	})
	if err := waitReady("http://"+host+"/", exited, time.Minute); err != nil {
		t.Fatalf("%s emulator on %s: %v\n%s", emu.name, host, err, out.String())
	}
	return host
}

// skipOrFail skips the test, or fails it under KIT_REQUIRE_TOOLS=1, as
// Require does for a missing tool.
func skipOrFail(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("KIT_REQUIRE_TOOLS") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// stopGroup kills the process group pgid and waits until none of it is
// left, so no Java process outlives the test.
func stopGroup(t testing.TB, pgid int, exited <-chan struct{}) {
	syscall.Kill(-pgid, syscall.SIGKILL)
	<-exited
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(-pgid, 0) == nil { // ESRCH once the group is gone
		if time.Now().After(deadline) {
			t.Errorf("process group %d still alive 10 s after SIGKILL", pgid)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitReady polls url until it answers, the process exits or timeout passes.
func waitReady(url string, exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.After(timeout)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-exited:
			return errors.New("the emulator exited before it answered")
		case <-deadline:
			return fmt.Errorf("no answer within %s", timeout)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
