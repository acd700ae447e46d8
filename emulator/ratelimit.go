package emulator

import (
	"time"

	"github.com/sociogram-kit/kit/platform"
)

// The platform's documented limits, enforced on send-message (package
// platform's Limiter, which sociogramtest uses too when asked).
const (
	BotLimit    = platform.BotLimit    // messages per BotWindow per bot
	BotWindow   = platform.BotWindow   //
	UserSpacing = platform.UserSpacing // between two messages to one user
)

// DefaultSlack is how much earlier than the limits allow a message is still
// accepted (see platform.DefaultSlack).
const DefaultSlack = platform.DefaultSlack

// Clock is the emulator's time source; tests inject one they advance by hand.
type Clock = platform.Clock

// wallClock is the real time.
type wallClock = platform.WallClock

// newLimiter returns the limits' bookkeeping with slack.
func newLimiter(slack time.Duration) *platform.Limiter { return platform.NewLimiter(slack) }
