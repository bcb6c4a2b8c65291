package server

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/ghjson"
	"github.com/zgate-dev/zgate/app/store"
)

// errCannotAct is wrapped by the errors of payloads that parse but lack what
// zgate needs to act: they are acknowledged (2xx) with the reason logged,
// since GitHub shows every 4xx to the App's owner as a failed delivery.
var errCannotAct = errors.New("cannot act on this delivery")

// errNoInstallation means a payload lacks the installation the App needs to
// act, as repository and organization webhooks send them.
var errNoInstallation = fmt.Errorf("%w: payload has no installation id (a repository webhook?)", errCannotAct)

// errNoRepository means a payload lacks the repository owner or name.
var errNoRepository = fmt.Errorf("%w: payload has no repository owner or name", errCannotAct)

// decode unmarshals a payload into T, a compact type of payload.go or a
// go-github event type, validating the whole body as it goes (see
// package ghjson).
func decode[T any](body []byte) (*T, error) {
	v := new(T)
	if err := ghjson.Unmarshal(body, v); err != nil {
		return nil, fmt.Errorf("decode payload: %w", err)
	}
	return v, nil
}

// prKey builds the key of pull request n of repo (0: the repository).
func prKey(inst *github.Installation, repo *github.Repository, n int) (store.PRKey, error) {
	if inst.GetID() == 0 {
		return store.PRKey{}, errNoInstallation
	}
	owner, name := repo.GetOwner().GetLogin(), repo.GetName()
	if owner == "" || name == "" {
		return store.PRKey{}, errNoRepository
	}
	return store.PRKey{Installation: inst.GetID(), Owner: owner, Repo: name, Number: n}, nil
}

// one returns the outcome "re-evaluate pull request n".
func one(inst *github.Installation, repo *github.Repository, n int) (outcome, error) {
	if n <= 0 {
		return outcome{}, fmt.Errorf("%w: payload has no pull request number", errCannotAct)
	}
	k, err := prKey(inst, repo, n)
	if err != nil {
		return outcome{}, err
	}
	return outcome{keys: []store.PRKey{k}}, nil
}

// ignore returns the outcome "nothing to do, because ...".
func ignore(format string, args ...any) (outcome, error) {
	return outcome{ignored: fmt.Sprintf(format, args...)}, nil
}

// fromSelf reports whether the App itself sent the event, so its own
// actions (check runs, merges) do not loop back into re-evaluations.
func (s *Server) fromSelf(sender *github.User) bool {
	return s.cfg.BotLogin != "" && sender.GetLogin() == s.cfg.BotLogin
}

// handlePing acknowledges a ping. It decodes nothing but still rejects a
// body that is not JSON, as every handler must (the webhook does not scan
// the body separately).
func handlePing(_ *Server, _ *slog.Logger, body []byte) (outcome, error) {
	if _, err := decode[struct{}](body); err != nil {
		return outcome{}, err
	}
	return ignore("ping")
}
