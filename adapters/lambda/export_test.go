package lambdaadapter

// WebhookFunction and SenderFunction with the AWS configuration built by a
// loader of the test's (AWSConfig's signature) instead of AWSConfig, so that
// a test can count how often a cold start builds it.
var (
	WebhookFunctionWithAWS = webhookFunction
	SenderFunctionWithAWS  = senderFunction
)
