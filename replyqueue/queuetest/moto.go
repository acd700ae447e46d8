package queuetest

import (
	"strconv"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/internal/testtools"
)

// StartMoto runs moto_server (AWS APIs, SQS included, over real HTTP) on
// loopback for the test and returns its URL. It skips, or fails under
// KIT_REQUIRE_TOOLS=1, when moto_server is missing.
func StartMoto(t *testing.T) string {
	t.Helper()
	moto := testtools.Require(t, "moto_server")
	port := strconv.Itoa(testtools.FreePort(t))
	testtools.Start(t, moto, nil, "-H", "127.0.0.1", "-p", port)
	url := "http://127.0.0.1:" + port
	testtools.WaitHTTP(t, url+"/moto-api/", 30*time.Second)
	return url
}
