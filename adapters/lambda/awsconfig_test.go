package lambdaadapter_test

import (
	"context"
	"errors"
	"testing"

	lambdaadapter "github.com/sociogram-kit/kit/adapters/lambda"
	"github.com/sociogram-kit/kit/handler"
)

func TestAWSConfig(t *testing.T) {
	env := map[string]string{
		"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET",
		"AWS_SESSION_TOKEN": "SESSION", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000",
	}
	cfg, err := lambdaadapter.AWSConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "eu-west-1" || creds.AccessKeyID != "AKID" || creds.SecretAccessKey != "SECRET" ||
		creds.SessionToken != "SESSION" || cfg.BaseEndpoint == nil || *cfg.BaseEndpoint != "http://127.0.0.1:5000" {
		t.Errorf("config = %+v, credentials %+v", cfg, creds)
	}
	delete(env, "AWS_REGION")
	env["AWS_DEFAULT_REGION"] = "us-east-2"
	if cfg, err := lambdaadapter.AWSConfig(func(k string) string { return env[k] }); err != nil || cfg.Region != "us-east-2" {
		t.Errorf("AWS_DEFAULT_REGION: %v, %q", err, cfg.Region)
	}
	delete(env, "AWS_ACCESS_KEY_ID")
	if _, err := lambdaadapter.AWSConfig(func(k string) string { return env[k] }); !errors.Is(err, lambdaadapter.ErrNoAWSCredentials) {
		t.Errorf("without credentials: %v", err)
	}
}

func TestLoadTokensWithoutSecret(t *testing.T) {
	none := func(string) string { return "" }
	if _, err := lambdaadapter.LoadTokens(context.Background(), none, handler.NewKeyring(), discardLogger()); !errors.Is(err, handler.ErrNoToken) {
		t.Errorf("no token at all: %v, want ErrNoToken", err)
	}
	v, err := lambdaadapter.LoadTokens(context.Background(), none, handler.NewKeyring("from-env"), discardLogger())
	if err != nil || v != nil {
		t.Errorf("token from the environment: verifier %v, err %v; want neither", v, err)
	}
}
