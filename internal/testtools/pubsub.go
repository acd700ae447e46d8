package testtools

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// StartPubSub runs the Google Cloud CLI's Pub/Sub emulator on loopback for
// the test and returns its host:port, for PUBSUB_EMULATOR_HOST. It speaks
// both gRPC and Pub/Sub's REST API (REST wants Content-Type:
// application/json, or answers 404), and starts in about 2-20 s.
//
// The command is `gcloud beta emulators pubsub start`: Cloud SDK 528 has no
// GA `gcloud emulators pubsub`. As with StartFirestore, the emulator runs in
// its own process group, killed whole when the test ends.
func StartPubSub(t testing.TB) string {
	t.Helper()
	gcloud, err := exec.LookPath("gcloud")
	if err != nil {
		skipOrFail(t, "gcloud not found in PATH: the Pub/Sub emulator comes with the Google Cloud CLI (package google-cloud-cli-pubsub-emulator)")
	}
	if sdk, err := filepath.EvalSymlinks(gcloud); err == nil {
		emu := filepath.Join(filepath.Dir(sdk), "..", "platform", "pubsub-emulator")
		if _, err := os.Stat(emu); err != nil {
			skipOrFail(t, "the Google Cloud CLI has no Pub/Sub emulator ("+emu+" is missing: package google-cloud-cli-pubsub-emulator)")
		}
	}
	if _, err := exec.LookPath("java"); err != nil {
		skipOrFail(t, "java not found in PATH: the Pub/Sub emulator needs a JRE (OpenJDK 17)")
	}
	host := fmt.Sprintf("127.0.0.1:%d", FreePort(t))
	cmd := exec.Command(gcloud, "beta", "emulators", "pubsub", "start", "--host-port="+host, "--quiet")
	cmd.Env = append(os.Environ(), // gcloud must not try to reach Google
		"CLOUDSDK_CORE_DISABLE_PROMPTS=1",
		"CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=true",
		"CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=true",
	)
	out := &Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the Pub/Sub emulator: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		stopGroup(t, cmd.Process.Pid, exited)
		if t.Failed() {
			t.Logf("output of the Pub/Sub emulator:\n%s", out.String())
		}
	})
	if err := waitReady("http://"+host+"/", exited, time.Minute); err != nil {
		t.Fatalf("Pub/Sub emulator on %s: %v\n%s", host, err, out.String())
	}
	return host
}
