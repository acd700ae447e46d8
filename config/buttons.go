package config

import (
	"fmt"
	"strings"
)

// EnvButtonKey holds the key of signed buttons (handler.NewSignedButton), a
// secret like the token: at least 32 characters (e.g. the output of
// `openssl rand -base64 32`), or "new,old" while rotating it, so that
// buttons signed with the old key keep working. Unset, the key is derived
// from the bot token, which needs no setup but makes a token rotation void
// every signed button sent before it (their clicks get the bot's
// invalid-button reply).
const EnvButtonKey = "SOCIOGRAM_BUTTON_KEY"

// MinButtonKeyChars is the shortest SOCIOGRAM_BUTTON_KEY accepted.
const MinButtonKeyChars = 32

// ButtonKeys reads SOCIOGRAM_BUTTON_KEY: the keys, the first signing, or
// nil when it is unset. Its errors name the variable, never the key.
func ButtonKeys(getenv func(string) string) ([][]byte, error) {
	v := getenv(EnvButtonKey)
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	var keys [][]byte
	for i, k := range strings.Split(v, ",") {
		k = strings.TrimSpace(k)
		if len(k) < MinButtonKeyChars {
			return nil, fmt.Errorf("%s: key %d is %d characters, want at least %d (make one with: openssl rand -base64 32)",
				EnvButtonKey, i+1, len(k), MinButtonKeyChars)
		}
		keys = append(keys, []byte(k))
	}
	return keys, nil
}
