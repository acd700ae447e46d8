package replyqueue

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"sync/atomic"

	"github.com/sociogram-kit/kit/handler"
)

// webhook identifies one webhook's event and counts its replies.
type webhook struct {
	sum     [sha256.Size]byte
	replies atomic.Int64
}

type webhookKey struct{}

// Middleware puts the identity of the webhook's event on the handler's
// context, so that Sink can give each reply an ID derived from (event,
// reply index). The identity is a hash of everything the platform documents
// about the event: its type, uid, chatId and text or callbackData. A
// redelivered webhook therefore yields the same IDs. So does the same user
// sending the same text (or pressing the same button) again: a queue that
// deduplicates treats the two as one while its window lasts (five minutes
// for SQS). The platform sends no event id that would tell them apart; if
// it ever does, add it to the hash here.
func Middleware(next handler.HandlerFunc) handler.HandlerFunc {
	return func(ctx context.Context, ev *handler.Event) error {
		w := &webhook{sum: eventSum(ev)}
		return next(context.WithValue(ctx, webhookKey{}, w), ev)
	}
}

func eventSum(ev *handler.Event) [sha256.Size]byte {
	h := sha256.New()
	var n [8]byte
	field := func(s string) {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	field(string(ev.Type))
	binary.BigEndian.PutUint64(n[:], uint64(ev.UID))
	h.Write(n[:])
	field(ev.ChatID)
	field(ev.Text)
	field(ev.CallbackData)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// nextID returns the ID of the next reply of the webhook on ctx: hex of
// SHA-256(event hash, reply index), 64 characters (SQS allows 128). A reply
// sent with a context that does not come from the handler's gets a random
// ID: it is queued, but not deduplicated.
func nextID(ctx context.Context) string {
	w, _ := ctx.Value(webhookKey{}).(*webhook)
	if w == nil {
		var b [32]byte
		rand.Read(b[:])
		return hex.EncodeToString(b[:])
	}
	var idx [8]byte
	binary.BigEndian.PutUint64(idx[:], uint64(w.replies.Add(1)-1))
	sum := sha256.Sum256(append(w.sum[:], idx[:]...))
	return hex.EncodeToString(sum[:])
}
