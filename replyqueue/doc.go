// Package replyqueue lets a bot's replies go into a queue instead of
// straight to the Bot API, so that a webhook is answered 200 as soon as its
// replies are durably queued and a separate sender delivers them at the
// platform's pace (60 messages per 60 s per bot, 1 per second per user).
//
// The handlers do not change: Options(q) gives the core (package handler) a
// Sink as its handler.Sender and a middleware that numbers each webhook's
// replies. Every queued reply is a Reply: the user, the documented
// send-message request body (botapi.EncodeRequest) and an ID that is the
// same when the same webhook is handled again, so a queue that deduplicates
// (SQS FIFO) or a sender that remembers IDs (Pub/Sub) sends it once.
//
// Senders drain a queue with a Deliverer: a Pacer that hands out send times
// fairly and keeps the platform's limits even across sender restarts (the
// Bot API client's fair limiter under a bucket of 6 sends refilled at 54 a
// minute that a new sender starts empty, and that a user who floods may
// only take from when it is full; see Pacer), and the Bot API client's own
// retries.
//
// Implementations of Queue: Local (in-process, for the plain-HTTP server),
// sqsqueue (Amazon SQS FIFO) and pubsubqueue (Google Cloud Pub/Sub with
// ordering keys). This package imports the standard library and the kit's
// core only; cloud SDKs live in the subpackages.
package replyqueue
