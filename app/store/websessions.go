package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// WebSession is a sign-in session of the gate details page. The store
// never sees the cookie: IDHash is its digest and Token is sealed by the
// caller (app/web).
type WebSession struct {
	IDHash  string
	Login   string
	Token   []byte
	Created time.Time
	Expires time.Time
}

// CreateWebSession stores s and removes sessions expired at s.Created.
func (s *Store) CreateWebSession(ctx context.Context, ws WebSession) error {
	if ws.IDHash == "" || len(ws.Token) == 0 || !ws.Expires.After(ws.Created) {
		return errors.New("create web session: id, token and an expiry after creation are required")
	}
	if _, err := s.exec(ctx, `DELETE FROM web_sessions WHERE expires_us <= $1`, micros(ws.Created)); err != nil {
		return fmt.Errorf("create web session: prune: %w", err)
	}
	_, err := s.exec(ctx, `INSERT INTO web_sessions (id_hash, login, token, created_us, expires_us) VALUES ($1, $2, $3, $4, $5)`,
		ws.IDHash, ws.Login, ws.Token, micros(ws.Created), micros(ws.Expires))
	if err != nil {
		return fmt.Errorf("create web session for %s: %w", ws.Login, err)
	}
	return nil
}

// WebSession returns the session whose id hashes to idHash if it has not
// expired at now; [ErrNotFound] otherwise.
func (s *Store) WebSession(ctx context.Context, idHash string, now time.Time) (WebSession, error) {
	var ws WebSession
	var created, expires int64
	err := s.queryRow(ctx, `SELECT id_hash, login, token, created_us, expires_us FROM web_sessions WHERE id_hash = $1 AND expires_us > $2`,
		idHash, micros(now)).Scan(&ws.IDHash, &ws.Login, &ws.Token, &created, &expires)
	if errIsNoRows(err) {
		return WebSession{}, fmt.Errorf("web session: %w", ErrNotFound)
	}
	if err != nil {
		return WebSession{}, fmt.Errorf("web session: %w", err)
	}
	ws.Created, ws.Expires = fromMicros(created), fromMicros(expires)
	return ws, nil
}

// DeleteWebSession removes a session (sign out); a missing one is no error.
func (s *Store) DeleteWebSession(ctx context.Context, idHash string) error {
	if _, err := s.exec(ctx, `DELETE FROM web_sessions WHERE id_hash = $1`, idHash); err != nil {
		return fmt.Errorf("delete web session: %w", err)
	}
	return nil
}
