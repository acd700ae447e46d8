package queuetest

import (
	"context"
	"testing"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/pstest"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// PubSub starts the Pub/Sub client library's own in-memory fake (pstest) for
// the test and returns it with a client for project connected to it. Both
// are closed when the test ends. Callers create their topics and
// subscriptions with the client's admin clients.
func PubSub(t *testing.T, project string) (*pstest.Server, *pubsub.Client) {
	t.Helper()
	srv := pstest.NewServer()
	t.Cleanup(func() { srv.Close() })
	return srv, PubSubClient(t, srv, project)
}

// PubSubClient is another client of srv, closed when the test ends (or
// earlier by the caller, as a stopped process would drop its connection and
// the leases on the messages it held).
func PubSubClient(t *testing.T, srv *pstest.Server, project string) *pubsub.Client {
	t.Helper()
	c, err := pubsub.NewClient(context.Background(), project, option.WithEndpoint(srv.Addr), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
