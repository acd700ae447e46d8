// Package platform is the kit's one model of the Sociogram platform: its wire
// format and its rules, with types of its own. Every fake of the platform
// (the emulator, the test kit sociogramtest and so cmd/fakeapi) accepts and
// rejects a send-message call through this package, so they answer the same
// body with the same status and the same error body. The core's types
// (handler.Message, handler.Update) are deliberately not used here: a
// mistake in their JSON tags shows up as a rejected call or a lost field in
// every fake instead of being read back through the same tags.
//
// # Send-message (bot -> platform)
//
// ReadSendMessage checks a POST /bot/send-message call in the order the
// fakes answer it: the endpoint (404), the method (405 with Allow: POST),
// X-App-Key in constant time (401), the Content-Type (415), the size (413),
// then the body (400) with ParseSendMessage. Every rejection is an *Error
// carrying the status and the text the fakes send back as
// {"success":false,"error":"<text>"} (Error.Write); errors.Is matches its
// condition (ErrBadKey, ErrContentType, ErrTooLarge, ErrMalformed, ...).
//
// ParseSendMessage is strict where the platform's documentation leaves room,
// so that a bot passing the fakes does not depend on leniency the platform
// may not have:
//
//   - Content-Type application/json (any case; a charset other than utf-8
//     is refused); at most MaxBodyBytes; valid UTF-8;
//   - one JSON object, whitespace around it allowed, nothing after it;
//   - field names exactly as documented (encoding/json would also take
//     "UID" or "buttonmarkup"), each at most once, and no other fields;
//   - "uid" a positive whole number written as one (no fraction, no
//     exponent) that fits in 64 bits; "message" an object with a non-empty
//     "text" or a non-empty "media" array of objects;
//   - "buttonMarkup" an array of non-empty rows, at most MaxButtonsPerRow
//     buttons in a row and MaxButtons in all; a button has a non-empty
//     "text" and exactly one of a non-empty "callbackData" (at most
//     MaxCallbackDataBytes) or a "url" (an absolute http or https URL with
//     a host, at most MaxURLBytes);
//   - null is not a value of any field.
//
// The platform documents none of these limits; the constants are the kit's
// choice and say so. Unknown fields are refused on this side only: the
// platform's webhooks to the bot may grow fields and events, and the core
// tolerates them.
//
// # Rate limits
//
// Limiter enforces the documented limits on accepted messages (BotLimit per
// BotWindow per bot, UserSpacing between two messages to one user) and
// answers the first call over them with a 429 *Error carrying Retry-After.
// The emulator always enforces them; sociogramtest only when asked
// (sociogramtest.WithRateLimits), so a bot's tests need not wait.
//
// # Webhooks (platform -> bot)
//
// Update, ChatMessage and CallbackQuery are the webhook bodies the fakes
// send; NewChatMessage and NewCallbackQuery build them and Update.Encode
// writes them.
//
// The package imports the standard library only (a test keeps it so); its
// only I/O is reading the request ReadSendMessage is given.
package platform
