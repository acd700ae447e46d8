package testtools

import "testing"

// StartFirestore runs the Google Cloud CLI's Firestore emulator (native mode)
// on loopback for the test and returns its host:port, for
// FIRESTORE_EMULATOR_HOST or a client's endpoint. It starts in about 2-20 s.
// The emulator runs in its own process group, killed whole when the test
// ends (see startGcloudEmulator).
func StartFirestore(t testing.TB) string {
	t.Helper()
	return startGcloudEmulator(t, gcloudEmulator{
		name:     "Firestore",
		platform: "cloud-firestore-emulator",
		pkg:      "google-cloud-cli-firestore-emulator",
		args:     []string{"emulators", "firestore", "start"},
	})
}
