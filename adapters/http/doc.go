// Package httpadapter serves a bot over plain HTTP: the production server for
// any host (a VM, a container, Cloud Run) and the local development loop.
//
// Routes: /webhook goes to the bot for every method (so a GET gets the core's
// 405 with Allow: POST, exactly as on the other adapters) and GET /healthz
// answers 200. A server built WithQueueStats (bin/webhook with
// SOCIOGRAM_REPLY_QUEUE=local) also answers GET /queue with the reply
// queue's depth, sent and failed counts and oldest age, as JSON. With
// SOCIOGRAM_DEV=1 (`make run`) Run also serves the development endpoints
// /dev/state and /dev/clock (DevHandler), which need the bot's X-App-Key.
package httpadapter
