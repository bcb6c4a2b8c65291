package main

import (
	"flag"

	"github.com/zgate-dev/zgate/app"
)

// webFlags configure `zgate serve`'s gate details page and its sign-in
// (docs/details-page.md, docs/config.md).
type webFlags struct {
	publicURL, clientID, clientSecret, clientSecretFile string
	sessionTTL                                          durationValue
}

// webEnv maps each details page flag to its environment variable.
func webEnv() map[string]string {
	return map[string]string{
		"public-url":               "ZGATE_PUBLIC_URL",
		"oauth-client-id":          "ZGATE_OAUTH_CLIENT_ID",
		"oauth-client-secret":      "ZGATE_OAUTH_CLIENT_SECRET",
		"oauth-client-secret-file": "ZGATE_OAUTH_CLIENT_SECRET_FILE",
		"session-ttl":              "ZGATE_SESSION_TTL",
	}
}

func (f *webFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.publicURL, "public-url", "", "where people reach zgate (https://zgate.example.com); check runs then link to /gates/OWNER/REPO/NUMBER")
	fs.StringVar(&f.clientID, "oauth-client-id", "", "the App's OAuth client id, for \"Sign in with GitHub\" on pages of private repositories")
	fs.StringVar(&f.clientSecret, "oauth-client-secret", "", "the App's OAuth client secret (or --oauth-client-secret-file)")
	fs.StringVar(&f.clientSecretFile, "oauth-client-secret-file", "", "path of a file holding the App's OAuth client secret")
	fs.Var(&f.sessionTTL, "session-ttl", "how long a sign-in lasts at most (default 8h, GitHub's user token lifetime)")
}

// apply copies the flags into o, reading the secret file.
func (f *webFlags) apply(o *app.Options) error {
	secret, err := secretFlag(f.clientSecret, f.clientSecretFile, "oauth-client-secret", "OAuth client secret")
	if err != nil {
		return err
	}
	o.Web = app.WebOptions{PublicURL: f.publicURL, OAuthClientID: f.clientID, SessionTTL: f.sessionTTL.get()}
	if secret != "" {
		o.Web.OAuthClientSecret = app.Secret(secret)
	}
	return nil
}
