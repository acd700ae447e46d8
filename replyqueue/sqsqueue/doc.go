// Package sqsqueue is the reply queue on Amazon SQS, for the Lambda adapter.
//
// Queue.Enqueue sends each reply to a FIFO queue with the user's uid as its
// message group (each user's replies keep their order; users do not hold
// each other up) and the reply's ID as its deduplication id (a webhook
// handled again within SQS's five-minute window queues nothing new).
//
// Consumer.Handle is the sender function's handler for the queue's Lambda
// event source mapping (aws-lambda-go's events.SQSEvent, with
// ReportBatchItemFailures). It sends the batch through a
// replyqueue.Deliverer, taking the batch's users in turn (each user's
// replies in order), deletes each message as soon as it is delivered (so a
// sender that times out or crashes mid-batch does not send the delivered ones
// again), and reports a failed message together with every later message of
// the same user as failed, so that user's order holds while the others go on.
// A message that keeps failing moves to the dead-letter queue after the
// redrive policy's maxReceiveCount.
//
// Fairness: SQS hands out as many messages of one group as it can, so a
// batch may hold nothing but one busy user's backlog. Handle takes a batch's
// quiet users first; a busy user (botapi.LightSends or more sends in the
// last minute, as the Deliverer's Pacer counts them) gets BusyPerBatch
// replies of a batch, and the user's later replies are deferred: reported
// failed, the first kept in flight for DeferFor (which holds the whole group
// back) and the rest visible again at once, so the next batch is taken from
// the other users. A busy user whose slot is more than MaxBusyWait away is
// deferred until it. Each deferral counts as a receive, which the
// template's maxReceiveCount (10) allows for. The bot-wide pace holds
// because only one sender runs at a time (reserved concurrency 1) and its
// Pacer paces every send of the bot, restarts included (see
// replyqueue.Pacer).
package sqsqueue
