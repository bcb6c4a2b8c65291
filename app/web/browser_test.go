package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds a Chromium binary: $ZGATE_CHROMIUM, then the names
// Debian's and others' packages install. The browser tests skip only
// when there is none (CI installs Debian's chromium, see .ci/run).
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("ZGATE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium binary found (install Debian's chromium: apt-get install -y chromium, or set ZGATE_CHROMIUM); skipping the browser tests")
	return ""
}

// browser is one headless Chromium with a fresh profile, recording the
// console errors of its tab.
type browser struct {
	t   *testing.T
	ctx context.Context

	mu     sync.Mutex
	errors []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromiumPath(t)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	b := &browser{t: t, ctx: ctx}
	if err := chromedp.Listen(ctx, b.event); err != nil {
		t.Fatalf("start Chromium %s: %v", path, err)
	}
	return b
}

func (b *browser) event(ev any) {
	var msg string
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError {
			for _, a := range e.Args {
				msg += fmt.Sprint(a.Value, a.Description, " ")
			}
		}
	case *runtime.EventExceptionThrown:
		msg = e.ExceptionDetails.Text
		if e.ExceptionDetails.Exception != nil {
			msg += " " + e.ExceptionDetails.Exception.Description
		}
	case *log.EventEntryAdded:
		if e.Entry.Level == log.EntryLevelError {
			msg = string(e.Entry.Source) + ": " + e.Entry.Text
		}
	}
	if msg != "" {
		b.mu.Lock()
		b.errors = append(b.errors, msg)
		b.mu.Unlock()
	}
}

// consoleErrors returns and forgets the errors seen so far.
func (b *browser) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.errors
	b.errors = nil
	return out
}

func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatal(err)
	}
}

// navigate loads u and returns the HTTP status of the document.
func (b *browser) navigate(u string) int64 {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Navigate(u))
	if err != nil {
		b.t.Fatalf("navigate %s: %v", u, err)
	}
	return resp.Status
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(sel))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func (b *browser) texts(css string) []string {
	b.t.Helper()
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).map(e => e.textContent.trim())`, css)))
	if err != nil {
		b.t.Fatalf("texts of %s: %v", css, err)
	}
	return out
}

// screenshot saves the whole page as a PNG under the test's temp dir.
func (b *browser) screenshot(dir, name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(dir, name)
	must(b.t, os.WriteFile(path, png, 0o644))
	b.t.Logf("screenshot: %s", path)
}

// signIn follows the page's "Sign in with GitHub" link and picks login on
// the simulator's consent page.
func (b *browser) signIn(login string) {
	b.t.Helper()
	b.do(chromedp.WaitVisible("#signin"), chromedp.Click("#signin"), chromedp.WaitVisible("#authorize"),
		chromedp.SetValue("#login", login), chromedp.Click("#authorize"))
}

// TestBrowserDetailsPage drives headless Chromium against a running zgate
// serve and the simulator: sign in through the simulator's OAuth page,
// the pages of a pending and a merged pull request, the 404 of a user
// without access, a phone-wide viewport, no console errors.
func TestBrowserDetailsPage(t *testing.T) {
	b := newBrowser(t)
	r := newRig(t)
	shots := t.TempDir()
	if d := os.Getenv("ZGATE_SCREENSHOTS"); d != "" {
		shots = d // keep them after the test
	}
	pending, _ := r.pendingPR()
	merged, _ := r.overriddenPR()
	page := func(n int) string { return fmt.Sprintf("%s/gates/%s/%s/%d", r.url, owner, repoName, n) }

	// The console listener works: a deliberate error is seen.
	b.navigate(r.url + "/healthz")
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[any](`console.error("probe")`)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if errs := b.consoleErrors(); len(errs) == 0 {
		t.Fatal("the console listener saw no error after console.error")
	}

	// Sign in as carol through the simulator's consent page.
	if status := b.navigate(page(pending)); status != 401 {
		t.Errorf("anonymous view = %d, want 401 with the sign-in link", status)
	}
	b.signIn("carol")
	b.do(chromedp.WaitVisible("#gates-h"))
	b.consoleErrors() // the 401 of the sign-in page is logged as a failed load

	// The pending pull request.
	b.navigate(page(pending))
	b.do(chromedp.WaitVisible("#gates-h"))
	if h1 := b.text("h1"); !strings.Contains(h1, fmt.Sprintf("acme/payments#%d", pending)) {
		t.Errorf("h1 = %q", h1)
	}
	if brand := b.text(".brand"); !strings.Contains(brand, "signed in as carol") {
		t.Errorf("header = %q, want the signed-in user", brand)
	}
	teams := b.texts(".missing-team")
	if len(teams) != 1 || !strings.Contains(teams[0], "@acme/security") || !strings.Contains(teams[0], "dave") ||
		strings.Contains(teams[0], "alice") || strings.Contains(teams[0], "[bot]") {
		t.Errorf("missing teams = %q, want @acme/security with dave, never the author or a bot", teams)
	}
	time.Sleep(1100 * time.Millisecond) // let the countdown tick at least once
	countdowns := b.texts(".countdown")
	if len(countdowns) == 0 || !regexp.MustCompile(`^in (23h [0-5]?\dm|1d 0h)$`).MatchString(countdowns[0]) {
		t.Errorf("countdowns = %q, want carol's approval counting for about 24h", countdowns)
	}
	if controls := b.texts("tr.control"); len(controls) != 2 || !strings.Contains(strings.Join(controls, "|"), "carol") {
		t.Errorf("controls = %q, want two with carol's approval", controls)
	}
	events := b.texts(".timeline .event")
	if len(events) == 0 || !strings.Contains(events[0], "decision") {
		t.Errorf("timeline = %q, want the decisions", events)
	}
	b.screenshot(shots, "pending.png")
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors on the pending page: %q", errs)
	}

	// A phone: one column, no horizontal scroll.
	b.do(chromedp.EmulateViewport(375, 812))
	b.navigate(page(pending))
	b.do(chromedp.WaitVisible("#gates-h"))
	fits, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
	if err != nil || !fits {
		w, _ := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		t.Errorf("375 px viewport scrolls sideways: scroll width %d (%v)", w, err)
	}
	b.screenshot(shots, "pending-375.png")
	b.do(chromedp.EmulateViewport(1280, 900))

	// The merged pull request, opened by override.
	b.navigate(page(merged))
	b.do(chromedp.WaitVisible("#gates-h"))
	if st := b.text("#pr-state"); st != "merged" {
		t.Errorf("state = %q, want merged", st)
	}
	if ov := b.text(".override"); !strings.Contains(ov, "erin") || !strings.Contains(ov, "frank") || !strings.Contains(ov, "payments down") {
		t.Errorf("override = %q, want erin and frank with their reasons", ov)
	}
	if res := b.texts(".results li"); len(res) == 0 || !strings.Contains(res[0], "done") {
		t.Errorf("Z results = %q, want the merge done", res)
	}
	link, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector(".results a").href`))
	if err != nil || !regexp.MustCompile(`/acme/payments/commit/[0-9a-f]{40}$`).MatchString(link) {
		t.Errorf("Z result link = %q (%v), want the merge commit", link, err)
	}
	kinds := strings.Join(b.texts(".timeline .event strong"), " ")
	for _, k := range []string{"decision", "override", "execution"} {
		if !strings.Contains(kinds, k) {
			t.Errorf("timeline kinds %q lack %s", kinds, k)
		}
	}
	b.screenshot(shots, "merged.png")
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors on the merged page: %q", errs)
	}

	// Someone GitHub does not let read the repository: the 404 page.
	if _, err := chromedp.Call(b.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if status := b.navigate(page(pending)); status != 401 {
		t.Errorf("view after clearing cookies = %d, want 401", status)
	}
	b.signIn("mallory")
	b.do(chromedp.WaitVisible("#notfound"))
	if status := b.navigate(page(pending)); status != 404 {
		t.Errorf("stranger's view = %d, want 404", status)
	}
	if h1 := b.text("h1"); h1 != "Not found" {
		t.Errorf("stranger's h1 = %q, want Not found", h1)
	}
	b.screenshot(shots, "notfound.png")
}
