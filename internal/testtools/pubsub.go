package testtools

import "testing"

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
	return startGcloudEmulator(t, gcloudEmulator{
		name:     "Pub/Sub",
		platform: "pubsub-emulator",
		pkg:      "google-cloud-cli-pubsub-emulator",
		args:     []string{"beta", "emulators", "pubsub", "start"},
	})
}
