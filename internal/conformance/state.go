package conformance

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/sociogram-kit/kit/sociogramtest"
)

// SendAttempts is how many times the Bot API client tries one send (botapi's
// default): RunCount injects that many 500s to make a reply fail for good.
const SendAttempts = 4

// Count is the fixture bot's /count webhook from the cases' uid.
func Count() Request { return post(chat("/count")) }

// ReplyCount is the fixture bot's answer to the user's n-th /count.
func ReplyCount(n int) string {
	return `{"uid":12345,"message":{"text":"count ` + strconv.Itoa(n) + `"}}`
}

// RunCount proves per-user state through an adapter serving the fixture bot
// with a store that has no record of the cases' uid yet:
//
//   - /count three times is answered 200 with "count 1", "count 2", "count 3";
//   - a /count whose reply the Bot API refuses with 500 (every attempt) is
//     answered 500 and nothing is sent; delivered again, as the platform
//     redelivers, it is answered 200 and its reply, "count 4", arrives once;
//   - the next /count is "count 5": the redelivery did not count twice.
func RunCount(t *testing.T, api *sociogramtest.API, deliver Deliver) {
	t.Helper()
	api.Reset()
	want := []string{}
	for n := 1; n <= 3; n++ {
		if r := deliver(t, Count()); r.Status != http.StatusOK {
			t.Fatalf("/count #%d: status %d, want 200 (body %q)", n, r.Status, r.Body)
		}
		want = append(want, ReplyCount(n))
		CheckReplies(t, api, want)
	}

	api.Reset()
	faults := make([]sociogramtest.Fault, SendAttempts)
	for i := range faults {
		faults[i] = sociogramtest.Fault{Status: http.StatusInternalServerError}
	}
	api.Inject(faults...)
	if r := deliver(t, Count()); r.Status != http.StatusInternalServerError {
		t.Fatalf("/count whose reply failed %d times: status %d, want 500 (body %q)", SendAttempts, r.Status, r.Body)
	}
	CheckReplies(t, api, nil)
	if r := deliver(t, Count()); r.Status != http.StatusOK {
		t.Fatalf("the redelivered /count: status %d, want 200 (body %q)", r.Status, r.Body)
	}
	CheckReplies(t, api, []string{ReplyCount(4)})
	if r := deliver(t, Count()); r.Status != http.StatusOK {
		t.Fatalf("/count after the redelivery: status %d, want 200", r.Status)
	}
	CheckReplies(t, api, []string{ReplyCount(4), ReplyCount(5)})
}
