package facts

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"
)

// DefaultMembershipTTL is how long a team's members are trusted without
// a membership or team webhook saying otherwise.
const DefaultMembershipTTL = 10 * time.Minute

// MembershipCache caches the active members of teams for a TTL. Membership
// and team webhooks call [MembershipCache.Invalidate] or
// [MembershipCache.InvalidateOrg] so a removed member stops counting at
// once. A nil *MembershipCache reads GitHub every time. It is safe for
// concurrent use.
type MembershipCache struct {
	ttl time.Duration
	now func() time.Time
	// checkState confirms each listed member's membership state is
	// "active" with one more call per member ([WithStateCheck]).
	checkState bool

	mu      sync.Mutex
	entries map[string]membersEntry // key: lower-case "org/team"
	// loading holds a channel per team being fetched, closed when done,
	// so concurrent evaluations share one fetch.
	loading map[string]chan struct{}
	// epoch counts invalidations: a fetch that raced one is not cached.
	epoch uint64
}

type membersEntry struct {
	members []string
	fetched time.Time
}

// MembershipOption tunes [NewMembershipCache].
type MembershipOption func(*MembershipCache)

// WithStateCheck makes the cache confirm every member's state is active,
// one extra call per member per TTL.
func WithStateCheck() MembershipOption {
	return func(c *MembershipCache) { c.checkState = true }
}

// NewMembershipCache returns a cache keeping members for ttl
// (DefaultMembershipTTL when zero or less); now is the clock (time.Now
// when nil).
func NewMembershipCache(ttl time.Duration, now func() time.Time, opts ...MembershipOption) *MembershipCache {
	if ttl <= 0 {
		ttl = DefaultMembershipTTL
	}
	if now == nil {
		now = time.Now
	}
	c := &MembershipCache{ttl: ttl, now: now, entries: map[string]membersEntry{}, loading: map[string]chan struct{}{}}
	for _, o := range opts {
		o(c)
	}
	return c
}

func teamKey(org, team string) string { return strings.ToLower(org + "/" + team) }

// Members returns the logins of the active members of @org/team (child
// teams' members included, as GitHub lists them), sorted.
func (c *MembershipCache) Members(ctx context.Context, gh *github.Client, org, team string) ([]string, error) {
	if c == nil {
		return listMembers(ctx, gh, org, team, false)
	}
	key := teamKey(org, team)
	for {
		c.mu.Lock()
		e, ok := c.entries[key]
		if ok && c.now().Sub(e.fetched) < c.ttl {
			c.mu.Unlock()
			return append([]string(nil), e.members...), nil
		}
		wait, busy := c.loading[key]
		if !busy {
			done := make(chan struct{})
			c.loading[key] = done
			epoch := c.epoch
			c.mu.Unlock()
			return c.load(ctx, gh, org, team, key, done, epoch)
		}
		c.mu.Unlock()
		select {
		case <-wait: // loaded (or failed): look again
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// load fetches one team and publishes the result to waiters.
func (c *MembershipCache) load(ctx context.Context, gh *github.Client, org, team, key string, done chan struct{}, epoch uint64) ([]string, error) {
	fetched := c.now()
	members, err := listMembers(ctx, gh, org, team, c.checkState)
	c.mu.Lock()
	delete(c.loading, key)
	if err == nil && epoch == c.epoch {
		c.entries[key] = membersEntry{members: members, fetched: fetched}
	}
	c.mu.Unlock()
	close(done)
	if err != nil {
		return nil, err
	}
	return append([]string(nil), members...), nil
}

// Invalidate drops the cached members of @org/team.
func (c *MembershipCache) Invalidate(org, team string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	delete(c.entries, teamKey(org, team))
}

// InvalidateOrg drops every cached team of org (a member left the org, a
// team was renamed or moved under another parent).
func (c *MembershipCache) InvalidateOrg(org string) {
	if c == nil {
		return
	}
	prefix := strings.ToLower(org) + "/"
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for k := range c.entries {
		if strings.HasPrefix(k, prefix) {
			delete(c.entries, k)
		}
	}
}

// listMembers reads every page of the team's members.
func listMembers(ctx context.Context, gh *github.Client, org, team string, checkState bool) ([]string, error) {
	var out []string
	opts := &github.TeamListTeamMembersOptions{ListOptions: github.ListOptions{PerPage: perPage}}
	for {
		page, resp, err := gh.Teams.ListTeamMembersBySlug(ctx, org, team, opts)
		if err != nil {
			if resp != nil && resp.StatusCode == http.StatusNotFound {
				return nil, fmt.Errorf("team @%s/%s not found or not visible to the App (it needs the Members read permission): %w", org, team, err)
			}
			return nil, fmt.Errorf("list members of @%s/%s: %w", org, team, err)
		}
		for _, u := range page {
			if u.GetLogin() != "" {
				out = append(out, u.GetLogin())
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if checkState {
		active := out[:0]
		for _, login := range out {
			m, _, err := gh.Teams.GetTeamMembershipBySlug(ctx, org, team, login)
			if err != nil {
				return nil, fmt.Errorf("membership of %s in @%s/%s: %w", login, org, team, err)
			}
			if m.GetState() == "active" {
				active = append(active, login)
			}
		}
		out = active
	}
	sort.Strings(out)
	return out, nil
}
