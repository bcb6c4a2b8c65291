package attest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"
)

// maxPages bounds the pages FetchBundles follows for one digest.
const maxPages = 50

// attestationsPage is one page of GET /repos/{owner}/{repo}/attestations/{subject_digest}.
type attestationsPage struct {
	Attestations []struct {
		Bundle    json.RawMessage `json:"bundle"`
		BundleURL string          `json:"bundle_url"`
	} `json:"attestations"`
}

// FetchOption configures [FetchBundles].
type FetchOption func(*fetchConfig)

type fetchConfig struct {
	blobClient *http.Client
}

// WithBundleClient sets the HTTP client that downloads a bundle_url on
// another host than the API's (default: a client without credentials and a
// 30 s timeout).
func WithBundleClient(c *http.Client) FetchOption {
	return func(fc *fetchConfig) { fc.blobClient = c }
}

// FetchBundles lists the attestations GitHub stores for subjectDigest (see
// [SubjectDigests]) in owner/repo, restricted to predicateType when it is
// not empty, following the cursor pagination, and returns their bundles as
// JSON. A bundle given by bundle_url instead of inline is downloaded and
// decompressed when Snappy-compressed, as GitHub stores them: with gh's HTTP
// client when the URL is on the API's host, otherwise with a client that
// carries no credentials (gh's transports add the token to every request,
// and a bundle_url is a pre-signed storage URL on another host). No
// attestation (GitHub answers 404) is an empty result.
//
// The bundles are not verified: pass each to [Verifier.Verify].
func FetchBundles(ctx context.Context, gh *github.Client, owner, repo, subjectDigest, predicateType string, opts ...FetchOption) ([][]byte, error) {
	cfg := fetchConfig{blobClient: &http.Client{Timeout: 30 * time.Second}}
	for _, o := range opts {
		o(&cfg)
	}
	var out [][]byte
	after := ""
	seen := map[string]bool{}
	for range maxPages {
		q := url.Values{"per_page": {"100"}}
		if predicateType != "" {
			q.Set("predicate_type", predicateType)
		}
		if after != "" {
			q.Set("after", after)
		}
		u := fmt.Sprintf("repos/%s/%s/attestations/%s?%s", url.PathEscape(owner), url.PathEscape(repo), url.PathEscape(subjectDigest), q.Encode())
		req, err := gh.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			return nil, fmt.Errorf("attestations of %s/%s: %w", owner, repo, err)
		}
		var page attestationsPage
		resp, err := gh.Do(ctx, req, &page)
		if err != nil {
			var er *github.ErrorResponse
			if errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound {
				return out, nil
			}
			return nil, fmt.Errorf("attestations of %s/%s for %s: %w", owner, repo, subjectDigest, err)
		}
		for i, a := range page.Attestations {
			b := bytes.TrimSpace(a.Bundle)
			switch {
			case len(b) > 0 && !bytes.Equal(b, []byte("null")):
				out = append(out, bytes.Clone(b))
			case a.BundleURL != "":
				client := cfg.blobClient
				if u, err := url.Parse(a.BundleURL); err == nil && gh.BaseURL != nil && strings.EqualFold(u.Host, gh.BaseURL.Host) {
					client = gh.Client()
				}
				b, err := fetchBundleURL(ctx, client, a.BundleURL)
				if err != nil {
					return nil, fmt.Errorf("attestation %d of %s/%s: %w", len(out)+1, owner, repo, err)
				}
				out = append(out, b)
			default:
				return nil, fmt.Errorf("attestation %d of page after %q has neither bundle nor bundle_url", i+1, after)
			}
		}
		if resp.After == "" || seen[resp.After] {
			return out, nil
		}
		seen[resp.After] = true
		after = resp.After
	}
	return nil, fmt.Errorf("attestations of %s/%s for %s: more than %d pages", owner, repo, subjectDigest, maxPages)
}

// fetchBundleURL downloads one bundle, decompressing it when it is not
// plain JSON.
func fetchBundleURL(ctx context.Context, client *http.Client, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("bundle_url: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("bundle_url: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("bundle_url: HTTP %s", strconv.Itoa(resp.StatusCode))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBundleSize+1))
	if err != nil {
		return nil, fmt.Errorf("bundle_url: %w", err)
	}
	if len(body) > maxBundleSize {
		return nil, fmt.Errorf("bundle_url: bundle larger than %d bytes", maxBundleSize)
	}
	if t := bytes.TrimSpace(body); len(t) > 0 && t[0] == '{' && json.Valid(t) {
		return t, nil
	}
	dec, err := decodeSnappy(body)
	if err != nil {
		return nil, fmt.Errorf("bundle_url: neither JSON nor Snappy-compressed JSON: %w", err)
	}
	if !json.Valid(dec) {
		return nil, errors.New("bundle_url: decompressed bundle is not JSON")
	}
	return dec, nil
}
