package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

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
	secret := f.previous
	if f.previousFile != "" {
		if secret != "" {
			return errors.New("give --webhook-secret-previous or --webhook-secret-previous-file, not both")
		}
		b, err := os.ReadFile(f.previousFile)
		if err != nil {
			return fmt.Errorf("read the previous webhook secret: %w", err)
		}
		secret = strings.TrimRight(string(b), "\r\n")
		if secret == "" {
			// An empty file would silently end the grace period early.
			return fmt.Errorf("the previous webhook secret file %s is empty", f.previousFile)
		}
	}
	o.WebhookSecretPrevious = app.Secret(secret)
	return nil
}
