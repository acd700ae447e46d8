package sqsqueue_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sociogram-kit/kit/botapi"
)

// fifo is a model of an SQS FIFO queue on an injected clock, served over
// SQS's JSON protocol for the real SDK: the operations the reply queue and
// its sender use (SendMessage, ReceiveMessage, DeleteMessage,
// ChangeMessageVisibilityBatch, GetQueueAttributes), with the FIFO rules the
// sender's fairness depends on, as SQS documents them:
//
//   - a message group's messages are handed out in order, and none while
//     one of the group is in flight (received, not deleted, still
//     invisible);
//   - a receive returns as many messages of one group as it can before
//     taking the next group (groups taken oldest head first);
//   - every receive counts; a message received more than maxReceive times
//     moves to the dead-letter queue instead.
//
// moto (TestSQSFairMoto) checks the same sender against a full SQS
// implementation on the wall clock; this model lets the fairness test run
// on an injected clock, deterministic and in a fraction of a second.
type fifo struct {
	clock      botapi.Clock
	visibility time.Duration // the queue's visibility timeout
	maxReceive int

	mu     sync.Mutex
	msgs   []*fifoMsg // not deleted, in the order sent
	nextID int
	dead   []*fifoMsg
}

type fifoMsg struct {
	id, group, body, dedup string
	sent                   time.Time // also when it becomes visible (a message sent in the future arrives then)
	visibleAt              time.Time
	receives               int
	handle                 string
}

// newFIFO serves a fifo and returns it with an SDK client for it.
func newFIFO(t *testing.T, clock botapi.Clock, maxReceive int) (*fifo, *sqs.Client) {
	q := &fifo{clock: clock, visibility: 360 * time.Second, maxReceive: maxReceive}
	srv := httptest.NewServer(q)
	t.Cleanup(srv.Close)
	return q, client(srv.URL)
}

const fifoURL = "http://fifo.invalid/123456789012/replies.fifo"

// sendAt queues a message that arrives at t (t may be later than now).
func (q *fifo) sendAt(t time.Time, group, body string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.nextID++
	q.msgs = append(q.msgs, &fifoMsg{id: fmt.Sprintf("m%d", q.nextID), group: group, body: body, sent: t, visibleAt: t})
	sort.SliceStable(q.msgs, func(i, j int) bool { return q.msgs[i].sent.Before(q.msgs[j].sent) })
}

// next is when something may next become receivable: the earliest future
// arrival or end of a visibility timeout; false when there is none.
func (q *fifo) next() (time.Time, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.clock.Now()
	var first time.Time
	for _, m := range q.msgs {
		if m.visibleAt.After(now) && (first.IsZero() || m.visibleAt.Before(first)) {
			first = m.visibleAt
		}
	}
	return first, !first.IsZero()
}

func (q *fifo) depth() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.msgs)
}

func (q *fifo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.")
	var in map[string]any
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	q.mu.Lock()
	out, err := q.do(op, in)
	q.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.sqs#InvalidParameterValue", "message": err.Error()})
		return
	}
	json.NewEncoder(w).Encode(out)
}

func (q *fifo) do(op string, in map[string]any) (any, error) {
	now := q.clock.Now()
	str := func(k string) string { s, _ := in[k].(string); return s }
	switch op {
	case "SendMessage":
		for _, m := range q.msgs {
			if m.dedup == str("MessageDeduplicationId") && m.group == str("MessageGroupId") {
				return map[string]string{"MessageId": m.id}, nil
			}
		}
		q.nextID++
		m := &fifoMsg{id: fmt.Sprintf("m%d", q.nextID), group: str("MessageGroupId"), body: str("MessageBody"),
			dedup: str("MessageDeduplicationId"), sent: now, visibleAt: now}
		q.msgs = append(q.msgs, m)
		sort.SliceStable(q.msgs, func(i, j int) bool { return q.msgs[i].sent.Before(q.msgs[j].sent) })
		return map[string]string{"MessageId": m.id}, nil
	case "ReceiveMessage":
		max := 10
		if n, ok := in["MaxNumberOfMessages"].(float64); ok {
			max = int(n)
		}
		return map[string]any{"Messages": q.receive(now, max)}, nil
	case "DeleteMessage":
		q.remove(str("ReceiptHandle"))
		return map[string]any{}, nil
	case "ChangeMessageVisibilityBatch":
		var ok []map[string]string
		entries, _ := in["Entries"].([]any)
		for _, e := range entries {
			e := e.(map[string]any)
			secs, _ := e["VisibilityTimeout"].(float64)
			for _, m := range q.msgs {
				if m.handle == e["ReceiptHandle"] && m.visibleAt.After(now) {
					m.visibleAt = now.Add(time.Duration(secs) * time.Second)
				}
			}
			ok = append(ok, map[string]string{"Id": e["Id"].(string)})
		}
		return map[string]any{"Successful": ok, "Failed": []any{}}, nil
	case "GetQueueAttributes":
		visible, inFlight := 0, 0
		for _, m := range q.msgs {
			switch {
			case m.visibleAt.After(now) && m.receives > 0:
				inFlight++
			case !m.sent.After(now):
				visible++
			}
		}
		return map[string]any{"Attributes": map[string]string{
			"ApproximateNumberOfMessages": strconv.Itoa(visible), "ApproximateNumberOfMessagesNotVisible": strconv.Itoa(inFlight)}}, nil
	}
	return nil, fmt.Errorf("fifo: %s is not modelled", op)
}

// receive hands out up to max messages by the FIFO rules; q.mu is held.
func (q *fifo) receive(now time.Time, max int) []map[string]any {
	blocked := map[string]bool{} // groups with a message in flight
	for _, m := range q.msgs {
		if m.visibleAt.After(now) && m.receives > 0 {
			blocked[m.group] = true
		}
	}
	var groups []string // receivable groups, oldest head first
	seen := map[string]bool{}
	for _, m := range q.msgs {
		if !seen[m.group] && !blocked[m.group] && !m.visibleAt.After(now) {
			groups = append(groups, m.group)
		}
		seen[m.group] = true
	}
	var out []map[string]any
	for _, g := range groups {
		for _, m := range append([]*fifoMsg(nil), q.msgs...) {
			if len(out) == max {
				return out
			}
			if m.group != g {
				continue
			}
			if m.visibleAt.After(now) {
				break // not yet sent, or in flight: the group stops here
			}
			if m.receives >= q.maxReceive {
				q.dead = append(q.dead, m)
				q.delete(m)
				continue
			}
			m.receives++
			m.visibleAt = now.Add(q.visibility)
			m.handle = fmt.Sprintf("%s#%d", m.id, m.receives)
			out = append(out, map[string]any{"MessageId": m.id, "ReceiptHandle": m.handle, "Body": m.body,
				"Attributes": map[string]string{"MessageGroupId": m.group, "ApproximateReceiveCount": strconv.Itoa(m.receives),
					"SentTimestamp": strconv.FormatInt(m.sent.UnixMilli(), 10)}})
		}
	}
	return out
}

func (q *fifo) remove(handle string) {
	for _, m := range q.msgs {
		if m.handle == handle {
			q.delete(m)
			return
		}
	}
}

func (q *fifo) delete(m *fifoMsg) {
	for i, o := range q.msgs {
		if o == m {
			q.msgs = append(q.msgs[:i], q.msgs[i+1:]...)
			return
		}
	}
}
