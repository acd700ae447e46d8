// Package pubsubqueue is the reply queue on Google Cloud Pub/Sub, for the
// Cloud Functions adapter.
//
// Queue.Enqueue publishes each reply with the user's uid as its ordering
// key (each user's replies keep their order) and the reply's ID as the
// attribute reply_id, and returns once Pub/Sub has stored it. It speaks
// Pub/Sub's REST API over net/http with a token of Application Default
// Credentials (golang.org/x/oauth2/google), or plain HTTP to the emulator
// named by PUBSUB_EMULATOR_HOST: neither function links the Pub/Sub client
// library nor gRPC. (Package pubsubreplay, for cmd/replay-dlq, does.)
//
// PushHandler is the sender: the HTTP endpoint of a push subscription with
// message ordering, a retry policy with backoff and a dead-letter topic (see
// terraform/queue.tf). It runs as a second function with at most one
// instance, so its Pacer is the bot's pace, and that instance takes many
// pushes at once: ordering keys give one outstanding push per user, and a
// push whose user must wait for a slot is held (up to DefaultHold) while the
// other users' pushes are sent, so one user's flood does not hold up the
// others. It answers 204 (ack) once a reply is sent, 429 when it waited its
// hold out and 503 when it was not delivered (nack: Pub/Sub pushes it again
// after a backoff, then dead-letters).
//
// Deduplication, honestly: Pub/Sub cannot deduplicate on publish, and
// delivers at least once. PushHandler remembers the reply_id of what it sent
// for DefaultDedupWindow and acks a repeat without sending it. That covers a
// redelivered webhook and a redelivered message while the sender instance
// lives; a repeat that reaches a new instance (the previous one was
// recycled between the two) is sent again. Use SQS (Lambda) where that
// matters.
package pubsubqueue
