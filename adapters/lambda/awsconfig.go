package lambdaadapter

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// ErrNoAWSCredentials is returned by AWSConfig outside a Lambda execution
// environment (no AWS_REGION or no AWS_ACCESS_KEY_ID in the environment).
var ErrNoAWSCredentials = errors.New("lambdaadapter: AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not all set (not running on Lambda?)")

// AWSConfig is the SDK configuration a function needs, from the variables
// the Lambda runtime sets: AWS_REGION and the execution role's
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, plus
// AWS_ENDPOINT_URL when given (a local fake such as moto). It does what
// config.LoadDefaultConfig would do on Lambda without linking the shared
// config files, SSO and the other credential providers a function never
// uses: the bootstrap is about 2 MB smaller for it. It does no I/O.
//
// WebhookFunction and SenderFunction call it at most once per cold start,
// and only when they use an AWS service; Secrets Manager, DynamoDB and SQS
// share its result, and so its one credentials cache.
func AWSConfig(getenv func(string) string) (aws.Config, error) {
	region := getenv("AWS_REGION")
	if region == "" {
		region = getenv("AWS_DEFAULT_REGION")
	}
	id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	if region == "" || id == "" || secret == "" {
		return aws.Config{}, ErrNoAWSCredentials
	}
	cfg := aws.Config{
		Region:      region,
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(id, secret, getenv("AWS_SESSION_TOKEN"))),
	}
	if u := getenv("AWS_ENDPOINT_URL"); u != "" {
		cfg.BaseEndpoint = aws.String(u)
	}
	return cfg, nil
}

// awsLoader builds the AWS configuration from the environment: AWSConfig in
// the functions, a counting stand-in in a test.
type awsLoader func(getenv func(string) string) (aws.Config, error)

// awsClients makes one cold start's AWS clients from one configuration,
// built by the first client that needs it (never, in a function that uses
// no AWS service) and reused by every later one. Making a client does no
// I/O: the first call of each is its first network use. A cold start is
// one goroutine, and so is its use.
type awsClients struct {
	getenv func(string) string
	load   awsLoader
	loaded bool
	cfg    aws.Config
	err    error
}

func newAWSClients(getenv func(string) string, load awsLoader) *awsClients {
	return &awsClients{getenv: getenv, load: load}
}

// config returns the configuration, building it on the first call.
func (a *awsClients) config() (aws.Config, error) {
	if !a.loaded {
		a.cfg, a.err = a.load(a.getenv)
		a.loaded = true
	}
	return a.cfg, a.err
}

func (a *awsClients) secretsManager() (SecretsManagerAPI, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	return secretsmanager.NewFromConfig(cfg), nil
}

func (a *awsClients) dynamoDB() (*dynamodb.Client, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	return dynamodb.NewFromConfig(cfg), nil
}

func (a *awsClients) sqs() (*sqs.Client, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	return sqs.NewFromConfig(cfg), nil
}
