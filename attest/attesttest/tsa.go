package attesttest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/digitorus/timestamp"
	"github.com/sigstore/sigstore-go/pkg/root"
)

// tsa is an in-process RFC 3161 timestamp authority.
type tsa struct {
	t        TB
	rootCert *x509.Certificate
	leafCert *x509.Certificate
	leafKey  *ecdsa.PrivateKey
	mu       sync.Mutex
	now      func() time.Time
}

var ekuTimestamping = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}

func newTSA(t TB, org string, at time.Time) *tsa {
	t.Helper()
	// The PKCS#7 library puts the wall clock into each response's signing
	// time attribute, which must fall inside the leaf's validity too: cover
	// both the instance's time and today, whichever comes first.
	from, to := at, at
	if now := time.Now(); now.Before(from) {
		from = now
	} else {
		to = now
	}
	rootKey := newKey(t)
	rootTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Timestamping Root", Organization: []string{org}},
		NotBefore:             from.Add(-48 * time.Hour),
		NotAfter:              to.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	rootCert := createCert(t, rootTmpl, rootTmpl, &rootKey.PublicKey, rootKey)
	eku, err := asn1.Marshal([]asn1.ObjectIdentifier{ekuTimestamping})
	if err != nil {
		t.Fatalf("attesttest: tsa: %v", err)
	}
	leafKey := newKey(t)
	leafTmpl := &x509.Certificate{
		SerialNumber:    big.NewInt(2),
		Subject:         pkix.Name{CommonName: "Timestamp Authority", Organization: []string{org}},
		NotBefore:       from.Add(-47 * time.Hour),
		NotAfter:        to.Add(5 * 365 * 24 * time.Hour),
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}},
	}
	leafCert := createCert(t, leafTmpl, rootCert, &leafKey.PublicKey, rootKey)
	return &tsa{t: t, rootCert: rootCert, leafCert: leafCert, leafKey: leafKey, now: time.Now}
}

func (a *tsa) authority() *root.SigstoreTimestampingAuthority {
	return &root.SigstoreTimestampingAuthority{
		Root:                a.rootCert,
		Leaf:                a.leafCert,
		URI:                 "https://timestamp.githubapp.com",
		ValidityPeriodStart: a.rootCert.NotBefore,
	}
}

// stamp returns a timestamp response over the SHA-256 of sig at time at.
func (a *tsa) stamp(sig []byte, at time.Time) []byte {
	a.t.Helper()
	out, err := a.respond(digest(sig), nil, at)
	if err != nil {
		a.t.Fatalf("attesttest: timestamp: %v", err)
	}
	return out
}

func (a *tsa) respond(hashed []byte, exts []pkix.Extension, at time.Time) ([]byte, error) {
	ts := timestamp.Timestamp{
		HashAlgorithm:   crypto.SHA256,
		HashedMessage:   hashed,
		Time:            at,
		Policy:          asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 2},
		ExtraExtensions: exts,
	}
	return ts.CreateResponseWithOpts(a.leafCert, a.leafKey, crypto.SHA256)
}

// ServeHTTP answers RFC 3161 timestamp queries (POST
// application/timestamp-query) at the current time.
func (a *tsa) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || r.Method != http.MethodPost {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	req, err := timestamp.ParseRequest(body)
	if err != nil {
		http.Error(w, "bad timestamp query", http.StatusBadRequest)
		return
	}
	a.mu.Lock()
	at := a.now()
	a.mu.Unlock()
	resp, err := a.respond(req.HashedMessage, req.Extensions, at)
	if err != nil {
		http.Error(w, "timestamp failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	_, _ = w.Write(resp)
}

// TSAHandler returns the instance's timestamp authority as an HTTP
// handler, for `zgate attestation sign --tsa` against httptest.
func (g *GitHubInstance) TSAHandler() http.Handler { return g.tsa }

// TSAStampAt makes the HTTP timestamp authority answer with time at.
func (g *GitHubInstance) TSAStampAt(at time.Time) {
	g.tsa.mu.Lock()
	g.tsa.now = func() time.Time { return at }
	g.tsa.mu.Unlock()
}

// roundTripper serves requests with a handler, without a listener.
type roundTripper struct{ h http.Handler }

func (rt roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := &recorder{header: http.Header{}, code: http.StatusOK}
	rt.h.ServeHTTP(rec, r)
	return &http.Response{
		StatusCode: rec.code,
		Header:     rec.header,
		Body:       io.NopCloser(bytes.NewReader(rec.body.Bytes())),
		Request:    r,
	}, nil
}

type recorder struct {
	header http.Header
	body   bytes.Buffer
	code   int
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(code int)        { r.code = code }

// TSAClient returns an HTTP client whose every request is answered by the
// instance's timestamp authority, in process.
func (g *GitHubInstance) TSAClient() *http.Client {
	return &http.Client{Transport: roundTripper{h: g.tsa}}
}

func parseURI(s string) ([]*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	return []*url.URL{u}, nil
}
