// Package sqsqueue is the reply queue on Amazon SQS, for the Lambda adapter.
//
// Queue.Enqueue sends each reply to a FIFO queue with the user's uid as its
// message group (each user's replies keep their order; users do not hold
// each other up) and the reply's ID as its deduplication id (a webhook
// handled again within SQS's five-minute window queues nothing new).
//
// Consumer.Handle is the sender function's handler for the queue's Lambda
// event source mapping (aws-lambda-go's events.SQSEvent, with
// ReportBatchItemFailures). It sends the batch in order through a
// replyqueue.Deliverer, deletes each message as soon as it is delivered (so a
// sender that times out or crashes mid-batch does not send the delivered ones
// again), and reports a failed message together with every later message of
// the same user as failed, so that user's order holds while the others go on.
// A message that keeps failing moves to the dead-letter queue after the
// redrive policy's maxReceiveCount. The bot-wide pace holds because only one
// sender runs at a time (reserved concurrency 1) and its Pacer spaces every
// send of the bot (see replyqueue.Pacer).
package sqsqueue
