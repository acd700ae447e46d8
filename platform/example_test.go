package platform_test

import (
	"errors"
	"fmt"

	"github.com/sociogram-kit/kit/platform"
)

// ParseSendMessage reads a body as the platform documents it, or says what
// is wrong with the status and the error every fake answers.
func ExampleParseSendMessage() {
	m, err := platform.ParseSendMessage("application/json",
		[]byte(`{"uid":12345,"message":{"text":"Pick one:","buttonMarkup":[[{"text":"Help","url":"https://example.com/help"}]]}}`))
	fmt.Println(m.UID, m.Message.Text, m.Message.ButtonMarkup[0][0].URL, err)

	_, err = platform.ParseSendMessage("application/json",
		[]byte(`{"uid":12345,"message":{"text":"Pick one:","buttonmarkup":[[{"text":"Help","url":"https://example.com/help"}]]}}`))
	var pe *platform.Error
	if errors.As(err, &pe) {
		fmt.Printf("%d %s", pe.Status, pe.Body())
	}
	// Output:
	// 12345 Pick one: https://example.com/help <nil>
	// 400 {"success":false,"error":"malformed body: \"message\" has an unknown field \"buttonmarkup\" (the platform documents \"text\", \"buttonMarkup\" and \"media\")"}
}
