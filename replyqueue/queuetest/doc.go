// Package queuetest is the test kit shared by the reply queues' tests: a
// clock that advances instantly when slept on, a recorder of what the fake
// Bot API accepted (stamped with that clock), a burst of webhooks from many
// users through a real bot, and the checks every queue must pass: each reply
// delivered exactly once, each user's replies in order, never more than 60
// in any 60 s nor two to one user within a second.
package queuetest
