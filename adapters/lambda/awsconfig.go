package lambdaadapter

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
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
