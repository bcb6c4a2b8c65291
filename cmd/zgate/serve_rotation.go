package main

import (
	"flag"
	"fmt"

	"github.com/zgate-dev/zgate/app"
)

// rotationFlags give `zgate serve` the webhook secret being rotated out,
// accepted besides the current one for a grace period (docs/deploy.md).
type rotationFlags struct {
	previous, previousFile string
}

// rotationEnv maps each rotation flag to its environment variable.
func rotationEnv() map[string]string {
	return map[string]string{
		"webhook-secret-previous":      "ZGATE_WEBHOOK_SECRET_PREVIOUS",
		"webhook-secret-previous-file": "ZGATE_WEBHOOK_SECRET_PREVIOUS_FILE",
	}
}

func (f *rotationFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.previous, "webhook-secret-previous", "", "previous webhook secret, also accepted while rotating; remove once GitHub has the new one")
	fs.StringVar(&f.previousFile, "webhook-secret-previous-file", "", "path of a file holding the previous webhook secret")
}

// apply reads the previous secret into o.
func (f *rotationFlags) apply(o *app.Options) error {
	secret, err := secretFlag(f.previous, f.previousFile, "webhook-secret-previous", "previous webhook secret")
	if err != nil {
		return err
	}
	if f.previousFile != "" && secret == "" {
		// An empty file would silently end the grace period early.
		return fmt.Errorf("the previous webhook secret file %s is empty", f.previousFile)
	}
	o.WebhookSecretPrevious = app.Secret(secret)
	return nil
}
