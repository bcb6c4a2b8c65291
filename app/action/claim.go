package action

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// ClaimRef is the git ref whose creation claims the dispatch of gate for
// base on head: "refs/zgate/<head>/<gate>/<base>". Creating a ref is
// GitHub's compare-and-swap (POST git/refs answers 422 "Reference already
// exists" to all but the first caller), so of two runs racing for one
// dispatch exactly one creates it, and only that one dispatches. The
// components of fixed shape come first and the base last: a base may
// contain "/", and two refs conflict in git only when one is a directory
// of the other, which for the last component happens exactly when the
// two branches refs/heads/<base> could not coexist either.
func ClaimRef(headSHA, gate, base string) string {
	return "refs/zgate/" + headSHA + "/" + gate + "/" + base
}

// errClaimed means another run holds the claim ref of a dispatch.
var errClaimed = errors.New("another zgate run claimed this dispatch")

// identity is the login GitHub shows as the creator of the statuses this
// Action writes ("github-actions[bot]", "<app>[bot]"): the only creator
// whose marker statuses are trusted. It is configured, or learnt from the
// creator GitHub returns for a marker this run writes.
type identity struct {
	mu         sync.Mutex
	login      string
	configured bool
	log        *slog.Logger
}

func (id *identity) get() string {
	id.mu.Lock()
	defer id.mu.Unlock()
	return id.login
}

// learn records the creator of a status this run wrote.
func (id *identity) learn(creator string) {
	if creator == "" {
		return
	}
	id.mu.Lock()
	defer id.mu.Unlock()
	switch {
	case id.login == "":
		id.login = creator
	case !strings.EqualFold(id.login, creator) && id.configured:
		id.log.Warn("this run's statuses are created by another login than the configured identity: its markers will not be trusted by later runs; set the identity to it",
			"identity", id.login, "creator", creator)
	}
}

// record is what the marker statuses on a head say about one dispatch:
// the newest marker written by zgate's identity, and a person's settling
// of it ("confirmed <id>" or "failed <id>", newer and naming its id).
type record struct {
	status store.ExecutionStatus
	id     string
	detail string
	// at is when zgate wrote the marker.
	at time.Time
	// foreign counts markers by other creators that were ignored.
	foreign int
}

// intentGrace is how long a pending marker is taken for a dispatch still
// under way in another run (the example workflow's job timeout) before it
// is reconciled as one a run stopped in the middle of.
const intentGrace = 10 * time.Minute

// maxStatusPages bounds how far back the marker history is read; GitHub
// keeps at most 1,000 statuses per context and head.
const maxStatusPages = 20

// readRecord reads the marker history of gate for base on sha, newest
// first. Markers by anyone but self are not records: anyone who can write
// statuses could write them. A person may settle zgate's newest marker by
// naming its id: "confirmed <id>" (nothing to do, as for unknown) or
// "failed <id>" (zgate may claim again; the claim ref must be deleted by
// then, or the claim fails). nil when zgate has written no marker.
func readRecord(ctx context.Context, gh *github.Client, owner, repo, sha, gate, base, self string) (*record, error) {
	contexts := map[string]bool{MarkerContext(gate, base): true, legacyMarkerContext(gate): true}
	var settlements []Status
	foreign := 0
	opts := &github.ListOptions{PerPage: 100}
	for range maxStatusPages {
		page, resp, err := gh.Repositories.ListStatuses(ctx, owner, repo, sha, opts)
		if err != nil {
			return nil, fmt.Errorf("read the markers of %s on %s/%s@%s: %w", gate, owner, repo, sha, err)
		}
		for _, st := range page {
			if !contexts[st.GetContext()] {
				continue
			}
			s := Status{Context: st.GetContext(), State: st.GetState(), Description: st.GetDescription()}
			if self == "" || !strings.EqualFold(st.GetCreator().GetLogin(), self) {
				settlements = append(settlements, s)
				foreign++
				continue
			}
			rec := &record{detail: "marker " + s.State + ": " + s.Description, at: st.GetCreatedAt().Time}
			rec.status, rec.id = ParseMarker(s)
			if rec.id == "" {
				rec.id = "unrecognised-marker"
			}
			// A person's settling, newer than zgate's marker and naming
			// its id, decides what an unknown outcome was.
			if rec.status == store.ExecUnknown {
				for _, p := range settlements {
					if ps, pid := ParseMarker(p); pid == rec.id && (ps == store.ExecConfirmed || ps == store.ExecFailed) {
						rec.status = ps
						rec.detail = "settled by a person: " + p.State + ": " + p.Description
						break
					}
				}
			}
			rec.foreign = foreign
			return rec, nil
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if foreign > 0 {
		return &record{foreign: foreign}, nil
	}
	return nil, nil
}

// markerStore is act.ExecStore for the Action: a dispatch is claimed by
// creating [ClaimRef] and recorded by marker statuses on the head SHA
// ([MarkerContext]). A merge needs neither (the pull request's merged
// state is the record and the merge is SHA-guarded), so merges are kept in
// memory for this run only.
type markerStore struct {
	gh          *github.Client
	owner, repo string
	base        string
	targetURL   string
	newID       func() (string, error)
	self        *identity
	log         *slog.Logger
	now         func() time.Time

	mu    sync.Mutex
	execs map[string]store.Execution
}

func newMarkerStore(r *runner, base string) *markerStore {
	newID := r.cfg.NewID
	if newID == nil {
		newID = randomID
	}
	return &markerStore{gh: r.gh, owner: r.owner, repo: r.repo, base: base, targetURL: r.cfg.RunURL, newID: newID,
		self: r.self, log: r.log, now: r.now, execs: map[string]store.Execution{}}
}

// BeginExecution implements act.ExecStore. A trusted marker is returned as
// stored (a failed one is claimed again under its id). Otherwise the run
// claims the dispatch by creating the claim ref: when another run holds it
// the answer wraps errClaimed and nothing is sent. The claimant writes
// the pending marker before the dispatch goes out.
func (m *markerStore) BeginExecution(ctx context.Context, e store.Execution) (store.Execution, bool, error) {
	if e.Kind == string(policy.ActionMerge) {
		e.ID = "merge-" + e.HeadSHA
		m.remember(e)
		return e, true, nil
	}
	rec, err := readRecord(ctx, m.gh, m.owner, m.repo, e.HeadSHA, e.Gate, m.base, m.self.get())
	if err != nil {
		return store.Execution{}, false, err
	}
	if rec != nil && rec.foreign > 0 {
		m.log.Warn("marker statuses by another creator than zgate's identity are ignored", "gate", e.Gate, "count", rec.foreign, "identity", m.self.get())
	}
	if rec != nil && rec.status == store.ExecIntent && m.now().Sub(rec.at) < intentGrace {
		return store.Execution{}, false, fmt.Errorf("%w: execution %s under way since %s", errClaimed, rec.id, rec.at.UTC().Format(time.RFC3339))
	}
	if rec != nil && rec.id != "" && rec.status != store.ExecFailed {
		e.Status, e.ID, e.Detail = rec.status, rec.id, rec.detail
		m.remember(e)
		return e, false, nil
	}
	if rec != nil && rec.status == store.ExecFailed {
		e.ID = rec.id // the same execution, tried again
	} else if e.ID, err = m.newID(); err != nil {
		return store.Execution{}, false, err
	}
	if !validID(e.ID) {
		return store.Execution{}, false, fmt.Errorf("execution id %q: want letters, digits, '-', '_' or '.'", e.ID)
	}
	ref := ClaimRef(e.HeadSHA, e.Gate, m.base)
	_, resp, err := m.gh.Git.CreateRef(ctx, m.owner, m.repo, &github.Reference{Ref: github.String(ref), Object: &github.GitObject{SHA: github.String(e.HeadSHA)}})
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusUnprocessableEntity {
			return store.Execution{}, false, fmt.Errorf("%w: %s exists (%s)", errClaimed, ref, message(err))
		}
		return store.Execution{}, false, fmt.Errorf("claim the dispatch with %s: %w", ref, err)
	}
	e.Status = store.ExecIntent
	if err := m.writeMarker(ctx, e.HeadSHA, markerStatus(e.Gate, m.base, e.Status, e.ID)); err != nil {
		// Nothing was sent: give the claim back so a later run can try.
		m.release(ctx, e.HeadSHA, e.Gate)
		return store.Execution{}, false, fmt.Errorf("record the dispatch intent: %w", err)
	}
	m.remember(e)
	return e, true, nil
}

// FinishExecution implements act.ExecStore: it rewrites the marker. A
// definite refusal gives the claim back, so a later run may try again.
func (m *markerStore) FinishExecution(ctx context.Context, id string, status store.ExecutionStatus, detail string, at time.Time) error {
	m.mu.Lock()
	e, ok := m.execs[id]
	m.mu.Unlock()
	if !ok {
		return fmt.Errorf("finish execution %s: not begun in this run", id)
	}
	e.Status, e.Detail, e.Updated = status, detail, at
	if e.Kind != string(policy.ActionMerge) {
		if err := m.writeMarker(ctx, e.HeadSHA, markerStatus(e.Gate, m.base, status, id)); err != nil {
			return fmt.Errorf("record the dispatch outcome %s: %w", status, err)
		}
		if status == store.ExecFailed {
			m.release(ctx, e.HeadSHA, e.Gate)
		}
	}
	m.remember(e)
	return nil
}

// release deletes the claim ref; when that fails the claim stays, and no
// run dispatches until a person deletes it (safe, not live).
func (m *markerStore) release(ctx context.Context, sha, gate string) {
	ref := ClaimRef(sha, gate, m.base)
	if _, err := m.gh.Git.DeleteRef(ctx, m.owner, m.repo, ref); err != nil {
		m.log.Warn("cannot give back the dispatch claim: no run dispatches this gate again until a person deletes the ref", "ref", ref, "err", err)
	}
}

// writeMarker posts a marker and learns zgate's identity from its creator.
func (m *markerStore) writeMarker(ctx context.Context, sha string, s Status) error {
	rs := &github.RepoStatus{State: &s.State, Context: &s.Context, Description: &s.Description}
	if m.targetURL != "" {
		rs.TargetURL = &m.targetURL
	}
	st, _, err := m.gh.Repositories.CreateStatus(ctx, m.owner, m.repo, sha, rs)
	if err != nil {
		return fmt.Errorf("write status %s=%s on %s/%s@%s: %w", s.Context, s.State, m.owner, m.repo, sha, err)
	}
	m.self.learn(st.GetCreator().GetLogin())
	return nil
}

func (m *markerStore) remember(e store.Execution) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.execs[e.ID] = e
}

// message is GitHub's error message, or the error text.
func message(err error) string {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Message != "" {
		return er.Message
	}
	return err.Error()
}
