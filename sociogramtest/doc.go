// Package sociogramtest is a test kit for bot authors: a fake Sociogram Bot
// API that records what a bot sent and injects faults, builders for webhook
// events, and helpers that deliver an event to a bot over real HTTP.
//
//	api := sociogramtest.NewServer(t, "test-token")
//	client := botapi.New("test-token", botapi.WithBaseURL(api.URL))
//	// build the bot with handler.WithSender(client), deliver events, then:
//	sent := api.Sent()
package sociogramtest
