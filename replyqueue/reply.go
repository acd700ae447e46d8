package replyqueue

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/sociogram-kit/kit/botapi"
	"github.com/sociogram-kit/kit/handler"
)

// Reply is one queued reply.
type Reply struct {
	UID  int64
	Body []byte // the send-message request body, as botapi.EncodeRequest writes it
	// ID is the same for the same reply of the same webhook handled again
	// (see Options), so it can deduplicate a redelivered webhook's replies.
	ID string
	// Enqueued is when the reply was queued, when the queue knows it.
	Enqueued time.Time
}

// GroupKey is the reply's ordering group: its user, in decimal. Replies of
// one group are delivered in the order they were queued.
func (r Reply) GroupKey() string { return strconv.FormatInt(r.UID, 10) }

// NewReply encodes msg to uid as a Reply with the given ID.
func NewReply(uid int64, msg handler.Message, id string) (Reply, error) {
	var buf bytes.Buffer
	if err := botapi.EncodeRequest(&buf, uid, msg); err != nil {
		return Reply{}, err
	}
	return Reply{UID: uid, Body: bytes.TrimRight(buf.Bytes(), "\n"), ID: id}, nil
}

// ErrBadReply is the error of a queued body that is not a send-message
// request (wrapped with the reason).
var ErrBadReply = errors.New("replyqueue: not a send-message body")

// Decode parses a queued body back into the user and the message. It
// accepts exactly the shape NewReply writes: a JSON object with a positive
// integer uid and a message object.
func Decode(body []byte) (int64, handler.Message, error) {
	var req struct {
		UID     *int64           `json:"uid"`
		Message *handler.Message `json:"message"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return 0, handler.Message{}, fmt.Errorf("%w: %v", ErrBadReply, err)
	}
	if req.UID == nil || *req.UID <= 0 || req.Message == nil {
		return 0, handler.Message{}, fmt.Errorf("%w: want {\"uid\": positive number, \"message\": {...}}", ErrBadReply)
	}
	return *req.UID, *req.Message, nil
}
