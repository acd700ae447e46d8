package state

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/sociogram-kit/kit/sociogramtest"
	"github.com/sociogram-kit/kit/store/memstore"
)

// BenchmarkTurn is one stateful turn in memory (add one to the user's
// counter, reply "count N" to a no-op sender, one JSON log line to
// io.Discard), spread over 50 users: the kit on memstore, the floor on a map
// under a mutex, and the floor with the kit's second write (its outbox).
func BenchmarkTurn(b *testing.B) {
	const nUsers = 50
	sides := []struct {
		name string
		h    http.Handler
	}{
		{"kit", newKit(b, memstore.New(), noopSender)},
		{"floor", newFloor(NewMapStore(), noopSender, false)},
		{"floor-outbox", newFloor(NewMapStore(), noopSender, true)},
	}
	for _, sd := range sides {
		b.Run(sd.name, func(b *testing.B) {
			type turn struct {
				body []byte
				rd   *bytes.Reader
				req  *http.Request
			}
			turns := make([]turn, nUsers)
			for i := range turns {
				body := sociogramtest.ChatMessage(int64(1000+i), "add")
				rd := bytes.NewReader(body)
				req := sociogramtest.NewRequest(token, nil)
				req.Body, req.ContentLength = io.NopCloser(rd), int64(len(body))
				turns[i] = turn{body, rd, req}
			}
			w := &statusWriter{h: http.Header{}}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				tn := turns[i%nUsers]
				i++
				tn.rd.Reset(tn.body)
				sd.h.ServeHTTP(w, tn.req)
				if w.code != http.StatusOK {
					b.Fatalf("answered %d", w.code)
				}
			}
		})
	}
}
