package githubsim

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Delivery is one webhook delivery attempt.
type Delivery struct {
	// Event is the X-GitHub-Event header: "pull_request", "push"...
	Event string `json:"event"`
	// Action is the payload's "action", empty for push and status.
	Action string `json:"action,omitempty"`
	// ID is the X-GitHub-Delivery header, a UUID.
	ID string `json:"id"`
	// StatusCode is what the App answered; 0 when it could not be
	// reached (see Err) or no webhook URL was set.
	StatusCode int    `json:"status_code"`
	Err        string `json:"error,omitempty"`

	// HookID is the delivery's numeric id in GET /app/hook/deliveries;
	// each attempt, redeliveries included, has its own.
	HookID int64 `json:"hook_id"`
	// Redelivery is true for an attempt asked for after the first.
	Redelivery  bool      `json:"redelivery"`
	DeliveredAt time.Time `json:"delivered_at"`
	// Duration is how long the App took to answer, in seconds.
	Duration       float64 `json:"duration"`
	InstallationID int64   `json:"installation_id,omitempty"`
	RepositoryID   int64   `json:"repository_id,omitempty"`
}

// event is a webhook waiting to be delivered; its payload is encoded
// under s.mu so it shows the state at the time of the change.
type event struct {
	id      string // X-GitHub-Delivery; assigned when first sent
	name    string
	action  string
	payload []byte
	url     string
	secret  string
	appID   int64
	drop    bool // the App is not installed on the account
	// instID and repoID are the payload's installation.id and
	// repository.id, 0 when it has none.
	instID, repoID int64
	// redelivery marks an attempt asked for through the REST API.
	redelivery bool
}

// outbox delivers events one at a time, in order, or up to max at once.
type outbox struct {
	mu      sync.Mutex
	queue   []event
	running int // drain goroutines
	max     int
	idle    *sync.Cond
}

// event builds a webhook with the common repository, sender,
// installation and organization fields. Callers hold s.mu.
func (s *Sim) event(name string, r *repo, sender string, fields map[string]any) event {
	payload := maps.Clone(fields)
	if payload == nil {
		payload = map[string]any{}
	}
	// The deliveries API lists each delivery's installation and
	// repository ids: kept here, so that delivering need not decode the
	// payload it was given.
	ev := event{name: name}
	owner := ""
	if r != nil {
		payload["repository"] = s.repositoryJSON(r)
		owner, ev.repoID = r.owner, r.id
	}
	if org, ok := fields["organization"].(map[string]any); ok {
		owner, _ = org["login"].(string)
	}
	if sender != "" {
		payload["sender"] = s.userJSON(sender)
	}
	id, installed := s.instByOwner[lower(owner)]
	given := payload["installation"] != nil
	if installed && !given {
		payload["installation"] = map[string]any{"id": id, "node_id": nodeID("I", id)}
		if _, isOrg := payload["organization"]; !isOrg {
			payload["organization"] = s.orgJSON(owner)
		}
		ev.instID = id
	}
	if inst, ok := fields["installation"].(map[string]any); ok {
		ev.instID, _ = inst["id"].(int64)
	}
	// GitHub sends an App nothing about accounts it is not installed on.
	ev.drop = !installed && !given
	if a, ok := fields["action"].(string); ok {
		ev.action = a
	}
	b, err := s.encode(payload)
	if err != nil {
		b = []byte(`{}`)
	}
	ev.payload = b
	if s.app != nil {
		ev.url, ev.secret, ev.appID = s.app.webhookURL, s.app.webhookSecret, s.app.id
	}
	return ev
}

// orgObject is GitHub's organization-simple.
func (s *Sim) orgObject(login string) map[string]any {
	u := s.user(login)
	o := s.api() + "/orgs/" + login
	return map[string]any{"login": login, "id": u.ID, "node_id": nodeID("O", u.ID),
		"url": o, "repos_url": o + "/repos", "events_url": o + "/events", "hooks_url": o + "/hooks",
		"issues_url": o + "/issues", "members_url": o + "/members{/member}",
		"public_members_url": o + "/public_members{/member}", "avatar_url": u.AvatarURL, "description": nil}
}

// orgJSON is orgObject encoded, cached until the simulator's address
// changes: every webhook about an organization's repository carries it.
func (s *Sim) orgJSON(login string) encodedJSON {
	return s.cachedAccount(s.orgCache, login, func(l string) any { return s.orgObject(l) })
}

// post queues events for delivery. With wait it returns once every
// queued event (these and earlier ones) has been delivered; without, it
// returns at once (REST calls answer before their webhooks go out, as
// on GitHub). Callers must not hold s.mu.
func (s *Sim) post(evs []event, wait bool) {
	o := &s.out
	o.mu.Lock()
	for _, ev := range evs {
		if !ev.drop {
			o.queue = append(o.queue, ev)
		}
	}
	// Running drainers may all be busy delivering: start one more per
	// queued event, up to max; one that finds the queue empty stops.
	for n := len(o.queue); n > 0 && o.running < o.max; n-- {
		o.running++
		go s.drain()
	}
	for wait && (o.running > 0 || len(o.queue) > 0) {
		o.idle.Wait()
	}
	o.mu.Unlock()
}

// WaitDeliveries blocks until every webhook queued so far (including
// those caused by REST calls of the App) has been delivered.
func (s *Sim) WaitDeliveries() { s.post(nil, true) }

func (s *Sim) drain() {
	o := &s.out
	for {
		o.mu.Lock()
		if len(o.queue) == 0 {
			o.running--
			if o.running == 0 {
				o.idle.Broadcast()
			}
			o.mu.Unlock()
			return
		}
		ev := o.queue[0]
		o.queue = o.queue[1:]
		o.mu.Unlock()
		if ev.id == "" {
			ev.id = uuid.NewString()
		}
		d := s.deliver(ev)
		s.mu.Lock()
		s.recordDelivery(&d)
		s.remember(ev)
		s.mu.Unlock()
	}
}

// recordDelivery numbers an attempt and keeps it for the deliveries API.
// Callers hold s.mu.
func (s *Sim) recordDelivery(d *Delivery) {
	// Its own sequence: object ids in payloads (and golden files) must
	// not depend on how many deliveries went out.
	s.nextHookID++
	d.HookID = s.nextHookID
	s.deliveries = append(s.deliveries, *d)
}

// deliver POSTs one event, signed like GitHub's Hookshot.
func (s *Sim) deliver(ev event) (d Delivery) {
	d = Delivery{Event: ev.name, Action: ev.action, ID: ev.id, Redelivery: ev.redelivery}
	d.InstallationID, d.RepositoryID = ev.instID, ev.repoID
	start := s.now()
	d.DeliveredAt = start.UTC().Truncate(time.Second)
	defer func() { d.Duration = s.now().Sub(start).Seconds() }()
	if ev.url == "" {
		d.Err = errNoWebhookURL
		return d
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, ev.url, bytes.NewReader(ev.payload))
	if err != nil {
		d.Err = err.Error()
		return d
	}
	// Canonical keys, as Header.Set would store them (it copies each
	// mixed-case key on every call).
	req.Header = http.Header{
		"Content-Type":                           {"application/json"},
		"User-Agent":                             {"GitHub-Hookshot/githubsim"},
		"X-Github-Event":                         {ev.name},
		"X-Github-Delivery":                      {d.ID},
		"X-Github-Hook-Id":                       {"1"},
		"X-Github-Hook-Installation-Target-Type": {"integration"},
		"X-Github-Hook-Installation-Target-Id":   {itoa(ev.appID)},
		"X-Hub-Signature-256":                    {Sign(ev.secret, ev.payload)},
	}
	resp, err := s.client.Do(req)
	if err != nil {
		d.Err = fmt.Sprintf("deliver %s: %v", ev.name, err)
		s.log.Debug("githubsim: delivery failed", "event", ev.name, "err", err)
		return d
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	d.StatusCode = resp.StatusCode
	s.log.Debug("githubsim: delivered", "event", ev.name, "action", ev.action, "id", d.ID, "status", d.StatusCode)
	return d
}

// errNoWebhookURL is the Err of a delivery not attempted: the App had no
// webhook URL. GitHub makes no delivery then, so the deliveries API does
// not list it.
const errNoWebhookURL = "no webhook URL"

// Sign returns the X-Hub-Signature-256 value of body under secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Deliveries returns every webhook delivery so far, oldest first.
func (s *Sim) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

// maxRemembered bounds the payloads kept for Redeliver: pull request
// payloads run to tens of kilobytes, and benchmarks send thousands.
const maxRemembered = 1000

// remember keeps ev for Redeliver, forgetting the oldest past the bound.
// Callers hold s.mu.
func (s *Sim) remember(ev event) {
	s.sent[ev.id] = ev
	s.sentOrder = append(s.sentOrder, ev.id)
	if len(s.sentOrder) > maxRemembered {
		delete(s.sent, s.sentOrder[0])
		s.sentOrder = s.sentOrder[1:]
	}
}

// Redeliver sends a past delivery again, same id and body, as GitHub's
// "Redeliver" button does (and as a replay attack would), to the current
// webhook URL. It returns the new delivery. The last 1,000 deliveries can
// be sent again.
func (s *Sim) Redeliver(id string) (Delivery, error) {
	s.mu.Lock()
	ev, found := s.sent[id]
	if found && s.app != nil {
		ev.url, ev.secret = s.app.webhookURL, s.app.webhookSecret
	}
	s.mu.Unlock()
	if !found {
		return Delivery{}, fmt.Errorf("delivery %s: %w", id, ErrNotFound)
	}
	s.WaitDeliveries()
	ev.redelivery = true
	d := s.deliver(ev)
	s.mu.Lock()
	s.recordDelivery(&d)
	s.mu.Unlock()
	return d, nil
}
