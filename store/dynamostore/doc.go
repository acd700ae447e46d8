// Package dynamostore keeps the bots' per-user state (handler.Store) in an
// Amazon DynamoDB table, through aws-sdk-go-v2.
//
// # The table (a contract: template.yaml creates it with these names)
//
//	attribute  type  meaning
//	pk         S     the record's key (the partition key; no sort key)
//	version    N     the record's version: 1 after the first Put, +1 per Put
//	data       B     the record's bytes, opaque to the store (absent when empty)
//	expires    N     Record.Expires in epoch seconds: the table's TTL attribute
//	                 (absent when Record.Expires is zero: never expires)
//
// The table bills on demand and has TTL on, on the expires attribute. DynamoDB
// deletes an expired item lazily (typically within days), so Get still
// returns it: the turn engine checks Record.Expires on read.
//
// An item holds at most 400 KB (DynamoDB's limit, attribute names
// included): a Put of larger Data fails with DynamoDB's ValidationException,
// not a conflict.
//
// # Calls
//
// Get is one GetItem with ConsistentRead (a write that just committed on
// another instance is seen). Put is one PutItem whose condition is the
// optimistic lock: attribute_not_exists(pk) for version 0, version = :v
// otherwise; a failed condition is handler.ErrConflict. So a turn costs what
// the turn engine asks for and nothing more: one read, and one write per
// Put. The function needs exactly dynamodb:GetItem and dynamodb:PutItem on
// the table.
//
// The SDK retries a write that failed on the wire (a timeout, a 5xx); when
// the first attempt had committed, the retry's condition fails and Put
// reports a conflict for a write that happened. The turn engine then
// reloads and finds its own commit (its outbox entry), as for a redelivery.
package dynamostore
