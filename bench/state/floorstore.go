package state

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// MapStore is the floor's store in memory: a map under a mutex.
type MapStore struct {
	mu    sync.Mutex
	items map[string]mapItem
}

type mapItem struct {
	version int64
	data    []byte
	expires time.Time
}

// NewMapStore returns an empty MapStore.
func NewMapStore() *MapStore { return &MapStore{items: map[string]mapItem{}} }

// Get returns the item under key (version 0 when there is none).
func (s *MapStore) Get(_ context.Context, key string) (int64, []byte, time.Time, error) {
	s.mu.Lock()
	it := s.items[key]
	s.mu.Unlock()
	return it.version, it.data, it.expires, nil
}

// Put stores data under key with version+1 if the stored version is version.
func (s *MapStore) Put(_ context.Context, key string, version int64, data []byte, expires time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.items[key].version != version {
		return errConflict
	}
	s.items[key] = mapItem{version: version + 1, data: data, expires: expires}
	return nil
}

// DynamoStore is the floor's store in a DynamoDB table of the kit's shape
// (package dynamostore: pk S, version N, data B, expires N): one GetItem
// with ConsistentRead, one PutItem conditioned on the version.
type DynamoStore struct {
	Client *dynamodb.Client
	Table  string
}

// Get returns the item under key (version 0 when there is none).
func (s *DynamoStore) Get(ctx context.Context, key string) (int64, []byte, time.Time, error) {
	out, err := s.Client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.Table),
		Key:            map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: key}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil || out.Item == nil {
		return 0, nil, time.Time{}, err
	}
	v, ok := out.Item["version"].(*types.AttributeValueMemberN)
	if !ok {
		return 0, nil, time.Time{}, fmt.Errorf("item %s has no version", key)
	}
	version, err := strconv.ParseInt(v.Value, 10, 64)
	if err != nil {
		return 0, nil, time.Time{}, err
	}
	var data []byte
	if d, ok := out.Item["data"].(*types.AttributeValueMemberB); ok {
		data = d.Value
	}
	var expires time.Time
	if e, ok := out.Item["expires"].(*types.AttributeValueMemberN); ok {
		sec, err := strconv.ParseInt(e.Value, 10, 64)
		if err != nil {
			return 0, nil, time.Time{}, err
		}
		expires = time.Unix(sec, 0)
	}
	return version, data, expires, nil
}

// Put writes the item with version+1 if the stored version is version.
func (s *DynamoStore) Put(ctx context.Context, key string, version int64, data []byte, expires time.Time) error {
	in := &dynamodb.PutItemInput{
		TableName: aws.String(s.Table),
		Item: map[string]types.AttributeValue{
			"pk":      &types.AttributeValueMemberS{Value: key},
			"version": &types.AttributeValueMemberN{Value: strconv.FormatInt(version+1, 10)},
			"data":    &types.AttributeValueMemberB{Value: data},
			"expires": &types.AttributeValueMemberN{Value: strconv.FormatInt(expires.Unix(), 10)},
		},
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}
	if version > 0 {
		in.ConditionExpression = aws.String("version = :v")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{
			":v": &types.AttributeValueMemberN{Value: strconv.FormatInt(version, 10)}}
	}
	_, err := s.Client.PutItem(ctx, in)
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		return errConflict
	}
	return err
}
