package githubsim

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The App's webhook deliveries, as GitHub's REST API shows them
// (docs.github.com/rest/apps/webhooks): every attempt, failed ones
// included, newest first, cursor-paginated; and a redelivery request,
// which sends the same payload under the same GUID as a new attempt.

func (s *Sim) hookDeliveryRoutes() {
	s.handle("GET /app/hook/deliveries", authJWT, s.listHookDeliveries)
	s.handle("GET /app/hook/deliveries/{delivery_id}", authJWT, s.getHookDelivery)
	s.handle("POST /app/hook/deliveries/{delivery_id}/attempts", authJWT, s.redeliverHookDelivery)
}

// hookDeliveryObject is GitHub's hook-delivery-item.
func hookDeliveryObject(d Delivery) map[string]any {
	status := "OK"
	switch {
	case d.StatusCode == 0:
		status = "failed to connect to host"
	case d.StatusCode < 200 || d.StatusCode > 299:
		status = fmt.Sprintf("Invalid HTTP Response: %d", d.StatusCode)
	}
	var action, inst, repo any
	if d.Action != "" {
		action = d.Action
	}
	if d.InstallationID != 0 {
		inst = d.InstallationID
	}
	if d.RepositoryID != 0 {
		repo = d.RepositoryID
	}
	return map[string]any{
		"id": d.HookID, "guid": d.ID, "delivered_at": ts(d.DeliveredAt), "redelivery": d.Redelivery,
		"duration": d.Duration, "status": status, "status_code": d.StatusCode, "event": d.Event,
		"action": action, "installation_id": inst, "repository_id": repo,
		"throttled_at": nil,
	}
}

// listHookDeliveries pages newest first; the cursor is the hook id the
// next page starts below.
func (s *Sim) listHookDeliveries(q *request) response {
	perPage, err := strconv.Atoi(q.query("per_page"))
	if err != nil || perPage < 1 {
		perPage = defaultPerPage
	}
	perPage = min(perPage, maxPerPage)
	below := int64(-1)
	if c := q.query("cursor"); c != "" {
		n, err := strconv.ParseInt(strings.TrimPrefix(c, "v1_"), 10, 64)
		if err != nil {
			return apiError(http.StatusUnprocessableEntity, "Invalid cursor")
		}
		below = n
	}
	items := []map[string]any{}
	var last int64
	more := false
	for i := len(s.deliveries) - 1; i >= 0; i-- {
		d := s.deliveries[i]
		if d.Err == errNoWebhookURL || below >= 0 && d.HookID >= below {
			continue
		}
		if len(items) == perPage {
			more = true
			break
		}
		items = append(items, hookDeliveryObject(d))
		last = d.HookID
	}
	resp := ok(items)
	if more {
		v := url.Values{}
		v.Set("per_page", strconv.Itoa(perPage))
		v.Set("cursor", "v1_"+strconv.FormatInt(last, 10))
		resp.header = http.Header{}
		resp.header.Set("Link", fmt.Sprintf("<%s>; rel=\"next\"", absURL(q.r, v)))
	}
	return resp
}

func (s *Sim) hookDelivery(q *request) (Delivery, bool) {
	id, err := strconv.ParseInt(q.path("delivery_id"), 10, 64)
	if err != nil {
		return Delivery{}, false
	}
	for _, d := range s.deliveries {
		if d.HookID == id && d.Err != errNoWebhookURL {
			return d, true
		}
	}
	return Delivery{}, false
}

func (s *Sim) getHookDelivery(q *request) response {
	d, found := s.hookDelivery(q)
	if !found {
		return notFound()
	}
	return ok(hookDeliveryObject(d))
}

// redeliverHookDelivery queues the delivery's payload again under its
// GUID and answers 202 at once, as GitHub does.
func (s *Sim) redeliverHookDelivery(q *request) response {
	d, found := s.hookDelivery(q)
	if !found {
		return notFound()
	}
	ev, kept := s.sent[d.ID]
	if !kept {
		return apiError(http.StatusUnprocessableEntity, "Delivery is too old to redeliver")
	}
	if s.app != nil {
		ev.url, ev.secret = s.app.webhookURL, s.app.webhookSecret
	}
	ev.redelivery = true
	return response{status: http.StatusAccepted, body: map[string]any{}, events: []event{ev}}
}
