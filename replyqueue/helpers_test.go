package replyqueue_test

import (
	"net/http"
	"net/http/httptest"

	"github.com/sociogram-kit/kit/replyqueue/queuetest"
	"github.com/sociogram-kit/kit/sociogramtest"
)

func serve(h http.Handler, body []byte) int {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, sociogramtest.NewRequest(queuetest.Token, body))
	return rec.Code
}
