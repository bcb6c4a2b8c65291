package web

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// Cookie names.
const (
	sessionCookie = "zgate_session"
	stateCookie   = "zgate_oauth"
	stateTTL      = 10 * time.Minute
)

// secret is a token that prints redacted through fmt and slog.
type secret string

// LogValue implements slog.LogValuer.
func (secret) LogValue() slog.Value { return slog.StringValue("REDACTED") }

// String implements fmt.Stringer, redacted.
func (secret) String() string { return "REDACTED" }

// GoString implements fmt.GoStringer, redacted.
func (secret) GoString() string { return "REDACTED" }

// session is a signed-in visitor.
type session struct {
	login string
	token secret
}

// newSessionID returns a fresh random cookie value.
func newSessionID() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("session id: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// idHash is what the store keys a session by: the cookie is never stored.
func idHash(id string) string {
	sum := sha256.Sum256([]byte("zgate session id\x00" + id))
	return hex.EncodeToString(sum[:])
}

// sessionAEAD seals tokens under a key derived from the cookie, so the
// store's rows alone do not hold a usable token.
func sessionAEAD(id string) (cipher.AEAD, error) {
	key := sha256.Sum256([]byte("zgate session key\x00" + id))
	b, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

func sealToken(id string, token secret) ([]byte, error) {
	a, err := sessionAEAD(id)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, a.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return a.Seal(nonce, nonce, []byte(token), []byte(idHash(id))), nil
}

func openToken(id string, sealed []byte) (secret, error) {
	a, err := sessionAEAD(id)
	if err != nil {
		return "", err
	}
	if len(sealed) < a.NonceSize() {
		return "", errors.New("sealed token too short")
	}
	b, err := a.Open(nil, sealed[:a.NonceSize()], sealed[a.NonceSize():], []byte(idHash(id)))
	if err != nil {
		return "", err
	}
	return secret(b), nil
}

// session returns the visitor's live session, nil when there is none
// (no cookie, unknown, expired).
func (h *Handler) session(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 100 {
		return nil
	}
	ws, err := h.cfg.Store.WebSession(r.Context(), idHash(c.Value), h.now())
	if err != nil {
		return nil
	}
	tok, err := openToken(c.Value, ws.Token)
	if err != nil {
		h.log.WarnContext(r.Context(), "details page: session token does not open", "login", ws.Login)
		return nil
	}
	return &session{login: ws.Login, token: tok}
}

// cookie sets a cookie with the page's attributes: HttpOnly, SameSite=Lax
// (sent on the top-level navigation back from GitHub), Secure when zgate
// is served over https.
func (h *Handler) cookie(w http.ResponseWriter, name, value, path string, expires time.Time) {
	c := &http.Cookie{Name: name, Value: value, Path: path, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.secure}
	if value == "" {
		c.MaxAge = -1
	} else {
		c.Expires = expires
		c.MaxAge = max(1, int(expires.Sub(h.now()).Seconds()))
	}
	http.SetCookie(w, c)
}
