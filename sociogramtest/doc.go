// Package sociogramtest is a test kit for bot authors: a fake Sociogram Bot
// API that records what a bot sent and injects faults, builders for webhook
// events, and helpers that deliver an event to a bot over real HTTP.
//
//	api := sociogramtest.NewServer(t, "test-token")
//	client := botapi.New("test-token", botapi.WithBaseURL(api.URL))
//	// build the bot with handler.WithSender(client), deliver events, then:
//	sent := api.Sent()
//
// The fake checks every send-message call exactly as the emulator does,
// through package platform (the kit's one model of the platform's wire
// format and rules): a body the emulator would answer 400, 413 or 415 is
// answered here with the same status and the same
// {"success":false,"error":"..."}, and the bot's client sees the error. Only
// two things differ: any positive uid is a user, and the rate limits (60
// messages per minute per bot, 1 per second per user) are off unless
// WithRateLimits turns them on, so a bot's tests need not wait.
package sociogramtest
