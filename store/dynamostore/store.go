package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sociogram-kit/kit/handler"
)

// The item's attribute names: a contract with the table template.yaml creates.
const (
	AttrKey     = "pk"      // S, the partition key
	AttrVersion = "version" // N
	AttrData    = "data"    // B
	AttrExpires = "expires" // N, epoch seconds: the TTL attribute
)

// Store is a handler.Store on one DynamoDB table. It is safe for concurrent
// use; it holds no state of its own beyond the client and the table's name.
type Store struct {
	client *dynamodb.Client
	table  string
}

var _ handler.Store = (*Store)(nil)

// New returns a store on the named table through client (configured by the
// caller: region, credentials, endpoint). It makes no network call.
func New(client *dynamodb.Client, table string) *Store {
	return &Store{client: client, table: table}
}

// Get returns the record under key, or Version 0 and nil Data when there is
// none. It returns an expired record that DynamoDB has not deleted yet.
func (s *Store) Get(ctx context.Context, key string) (handler.Record, error) {
	if key == "" {
		return handler.Record{}, errors.New("dynamostore: empty key")
	}
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            map[string]types.AttributeValue{AttrKey: &types.AttributeValueMemberS{Value: key}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return handler.Record{}, fmt.Errorf("dynamostore: get %q from table %s (the function needs dynamodb:GetItem on it): %w", key, s.table, err)
	}
	if out.Item == nil {
		return handler.Record{}, nil
	}
	rec, err := decode(out.Item)
	if err != nil {
		return handler.Record{}, fmt.Errorf("dynamostore: item %q in table %s: %w", key, s.table, err)
	}
	return rec, nil
}

// Put stores rec under key if the stored version is still rec.Version (0: no
// item yet), with version rec.Version+1, in one conditional PutItem. When the
// condition fails it returns an error wrapping handler.ErrConflict.
func (s *Store) Put(ctx context.Context, key string, rec handler.Record) error {
	if key == "" {
		return errors.New("dynamostore: empty key")
	}
	if rec.Version < 0 {
		return fmt.Errorf("dynamostore: put %q: negative version %d", key, rec.Version)
	}
	in := &dynamodb.PutItemInput{
		TableName:                aws.String(s.table),
		Item:                     encode(key, rec),
		ExpressionAttributeNames: map[string]string{"#k": AttrKey},
		ConditionExpression:      aws.String("attribute_not_exists(#k)"),
	}
	if rec.Version > 0 {
		in.ExpressionAttributeNames = map[string]string{"#v": AttrVersion}
		in.ConditionExpression = aws.String("#v = :v")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":v": number(rec.Version)}
	}
	_, err := s.client.PutItem(ctx, in)
	var failed *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return nil
	case errors.As(err, &failed):
		return fmt.Errorf("dynamostore: put %q at version %d: %w", key, rec.Version, handler.ErrConflict)
	default:
		return fmt.Errorf("dynamostore: put %q into table %s (the function needs dynamodb:PutItem on it): %w", key, s.table, err)
	}
}

// encode builds the item that stores rec under key at version rec.Version+1.
func encode(key string, rec handler.Record) map[string]types.AttributeValue {
	item := map[string]types.AttributeValue{
		AttrKey:     &types.AttributeValueMemberS{Value: key},
		AttrVersion: number(rec.Version + 1),
	}
	if len(rec.Data) > 0 {
		item[AttrData] = &types.AttributeValueMemberB{Value: rec.Data}
	}
	if !rec.Expires.IsZero() {
		item[AttrExpires] = number(rec.Expires.Unix()) // whole seconds, as TTL wants
	}
	return item
}

func decode(item map[string]types.AttributeValue) (handler.Record, error) {
	var rec handler.Record
	v, ok := item[AttrVersion].(*types.AttributeValueMemberN)
	if !ok {
		return rec, fmt.Errorf("no number attribute %q", AttrVersion)
	}
	n, err := strconv.ParseInt(v.Value, 10, 64)
	if err != nil || n < 1 {
		return rec, fmt.Errorf("attribute %q is %q, want a version >= 1", AttrVersion, v.Value)
	}
	rec.Version = n
	rec.Data = []byte{}
	if b, ok := item[AttrData].(*types.AttributeValueMemberB); ok && b.Value != nil {
		rec.Data = b.Value
	}
	if e, ok := item[AttrExpires].(*types.AttributeValueMemberN); ok {
		sec, err := strconv.ParseInt(e.Value, 10, 64)
		if err != nil {
			return rec, fmt.Errorf("attribute %q is %q, want epoch seconds", AttrExpires, e.Value)
		}
		rec.Expires = time.Unix(sec, 0)
	}
	return rec, nil
}

func number(n int64) *types.AttributeValueMemberN {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}
