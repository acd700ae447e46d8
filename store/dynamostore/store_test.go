package dynamostore_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/store/dynamostore"
	"github.com/sociogram-kit/kit/store/storetest"
)

func client(motoURL string) *dynamodb.Client {
	return dynamodb.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(motoURL),
		HTTPClient:   &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100}},
	})
}

var tables atomic.Int64

// table creates a table as template.yaml does (the key schema of the
// package's contract, on-demand billing, TTL on the expires attribute) and
// returns its name.
func table(t *testing.T, c *dynamodb.Client) string {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("state-%d", tables.Add(1))
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(dynamostore.AttrKey), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(dynamostore.AttrKey), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(dynamostore.AttrExpires), Enabled: aws.Bool(true)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return name
}

// TestDynamoDB runs the conformance suite and the DynamoDB-specific tests
// on one moto server.
func TestDynamoDB(t *testing.T) {
	c := client(testtools.StartMoto(t))
	t.Run("Conformance", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) handler.Store { return dynamostore.New(c, table(t, c)) })
	})
	t.Run("Item", func(t *testing.T) { testItem(t, c) })
	t.Run("Errors", func(t *testing.T) { testErrors(t, c) })
}

// testItem checks the stored item against the table contract in doc.go:
// the attribute names and types template.yaml and a reader of the table rely on.
func testItem(t *testing.T, c *dynamodb.Client) {
	name := table(t, c)
	s := dynamostore.New(c, name)
	ctx := context.Background()
	exp := time.Unix(1_900_000_000, 0)
	if err := s.Put(ctx, "7", handler.Record{Data: []byte{0, 1}, Expires: exp}); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "8", handler.Record{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key  string
		want map[string]types.AttributeValue
	}{
		{"7", map[string]types.AttributeValue{
			"pk":      &types.AttributeValueMemberS{Value: "7"},
			"version": &types.AttributeValueMemberN{Value: "1"},
			"data":    &types.AttributeValueMemberB{Value: []byte{0, 1}},
			"expires": &types.AttributeValueMemberN{Value: "1900000000"},
		}},
		{"8", map[string]types.AttributeValue{ // no data, never expires
			"pk":      &types.AttributeValueMemberS{Value: "8"},
			"version": &types.AttributeValueMemberN{Value: "1"},
		}},
	}
	for _, tt := range tests {
		out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(name),
			Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: tt.key}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Item) != len(tt.want) {
			t.Errorf("item %s has %d attributes, want %d: %v", tt.key, len(out.Item), len(tt.want), out.Item)
		}
		for k, w := range tt.want {
			if g := out.Item[k]; fmt.Sprint(g) != fmt.Sprint(w) {
				t.Errorf("item %s: %s = %#v, want %#v", tt.key, k, g, w)
			}
		}
	}
}

// testErrors: a missing table is named with the action the function needs,
// and an empty key is refused before any call.
func testErrors(t *testing.T, c *dynamodb.Client) {
	s := dynamostore.New(c, "no-such-table")
	ctx := context.Background()
	_, err := s.Get(ctx, "1")
	if err == nil || !strings.Contains(err.Error(), "no-such-table") || !strings.Contains(err.Error(), "dynamodb:GetItem") {
		t.Errorf("Get on a missing table: %v", err)
	}
	err = s.Put(ctx, "1", handler.Record{})
	if err == nil || !strings.Contains(err.Error(), "no-such-table") || !strings.Contains(err.Error(), "dynamodb:PutItem") {
		t.Errorf("Put on a missing table: %v", err)
	}
	if _, err := s.Get(ctx, ""); err == nil {
		t.Error("Get of an empty key: no error")
	}
}
