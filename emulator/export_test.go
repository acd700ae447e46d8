package emulator

// AddBotEntry adds a bot's bubble to uid's conversation without the Bot
// API's checks, for testing the page's own defences against what the API
// refuses.
func AddBotEntry(e *Emulator, entry ChatEntry) {
	entry.From, entry.At = FromBot, e.clock.Now()
	e.store.addChat(entry)
}
