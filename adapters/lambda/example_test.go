package lambdaadapter_test

import (
	"context"
	"fmt"
	"net/http"

	lambdaadapter "github.com/sociogram-kit/kit/adapters/lambda"
)

// A Handler serves an http.Handler (in the kit, the bot) to Lambda; a main
// passes it to lambda.Start. Here it is invoked directly with a Function URL
// event, and answers in the Function URL response shape.
func ExampleFunction_Invoke() {
	h := lambdaadapter.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s key=%s", r.Method, r.URL.Path, r.Header.Get("X-App-Key"))
	}))
	event := `{"version":"2.0","rawPath":"/webhook","headers":{"x-app-key":"k"},
		"requestContext":{"domainName":"abc.lambda-url.eu-west-1.on.aws","http":{"method":"POST"}},
		"body":"e30=","isBase64Encoded":true}`
	out, err := h.Invoke(context.Background(), []byte(event))
	fmt.Println(lambdaadapter.Detect([]byte(event)), string(out), err)
	// Output:
	// function-url {"statusCode":200,"headers":{},"body":"POST /webhook key=k","isBase64Encoded":false,"cookies":null} <nil>
}
