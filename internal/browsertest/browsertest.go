// Package browsertest opens HTML files in headless Chromium (Debian's chromium, driven over the
// DevTools protocol with github.com/chromedp/chromedp) and reports what the page did: the charts
// it drew (inline <svg class="chart"> with <path class="series">, as package reports/chart
// writes them), every request it made, every script error and console or browser-log error or
// warning, and a full-page screenshot saved under .artifacts/ at the module root (git-ignored,
// uploaded by CI).
//
// Without a chromium binary on PATH the calling test is skipped, except under CI=true where that
// is a failure (scripts/ensure-chromium.sh installs it). The browser runs with --headless
// --no-sandbox --disable-gpu --disable-background-networking --no-first-run and a fresh
// user-data-dir in the test's temporary folder.
//
//	p := browsertest.Open(t, "report.html", "report")
//	if len(p.ExternalRequests()) > 0 || len(p.Problems) > 0 || p.ChartsDrawn() != len(p.Charts) { ... }
package browsertest

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
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/commbench/commbench/internal/testenv"
)

// Timeout bounds one Open: starting the browser (with Start) or loading, inspecting and
// screenshotting one page.
const Timeout = 30 * time.Second

// Thresholds of Chart.Drawn, in CSS pixels.
const (
	MinChartWidth = 200 // a chart narrower than this was not laid out
	MinSeriesPX   = 20  // a series path shorter than this is a dot, not a line
)

// Chart is what the browser laid out for one <svg class="chart">.
type Chart struct {
	ID     string    `json:"id"`
	Width  float64   `json:"width"`  // rendered width in CSS px
	Paths  []float64 `json:"paths"`  // rendered length in CSS px of each <path class="series">
	NoData bool      `json:"noData"` // the chart shows its "no data" note (an element of class nodata)
}

// Drawn reports whether the chart was laid out at least MinChartWidth wide, shows no "no data"
// note, and drew at least one series, each at least MinSeriesPX long.
func (c Chart) Drawn() bool {
	if c.Width < MinChartWidth || c.NoData || len(c.Paths) == 0 {
		return false
	}
	for _, l := range c.Paths {
		if l < MinSeriesPX {
			return false
		}
	}
	return true
}

// String describes the chart for test messages: "id: 720 px wide, series [612 430] px".
func (c Chart) String() string {
	s := fmt.Sprintf("%s: %.0f px wide, series %.0f px", c.ID, c.Width, c.Paths)
	if c.NoData {
		s += ", no data"
	}
	return s
}

// Page is what the browser observed of one page.
type Page struct {
	URL      string   // the file:// URL opened
	Title    string   // document.title
	Text     string   // document.body.innerText
	Charts   []Chart  // every svg.chart in document order
	Requests []string // URL of every request the page made, its own document included
	// Problems are thrown exceptions ("exception: ..."), console errors, warnings and failed
	// assertions ("console error: ..."), and browser log errors and warnings ("log error: ...",
	// e.g. a resource blocked by the Content-Security-Policy).
	Problems   []string
	Screenshot string // path of the full-page PNG under .artifacts/
}

// ChartsDrawn counts the charts for which Chart.Drawn holds.
func (p *Page) ChartsDrawn() int {
	n := 0
	for _, c := range p.Charts {
		if c.Drawn() {
			n++
		}
	}
	return n
}

// ExternalRequests returns the requests other than the page's own document.
func (p *Page) ExternalRequests() []string {
	var out []string
	for _, u := range p.Requests {
		if u != p.URL {
			out = append(out, u)
		}
	}
	return out
}

// Browser is one headless Chromium process, closed when the test that started it ends.
type Browser struct {
	ctx      context.Context
	artifact string
}

// Start launches headless Chromium for t (see the package documentation for the flags); it skips
// t when no chromium is installed, or fails it under CI=true. The browser stops at t's cleanup.
func Start(t testing.TB) *Browser {
	t.Helper()
	path := chromiumPath(t)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")),
		chromedp.WindowSize(1200, 900),
	)
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	// The first run allocates the browser for the lifetime of its context, so it runs on bctx
	// itself and is bounded from outside (the cleanup kills a browser that never answers).
	bounded(t, "start chromium "+path, func() error { return chromedp.Do(bctx) })
	return &Browser{ctx: bctx, artifact: filepath.Join(testenv.ModuleRoot(t), ".artifacts")}
}

// Open starts a browser for t (see Start) and opens the HTML file at htmlPath with Browser.Open.
func Open(t testing.TB, htmlPath, name string) *Page {
	t.Helper()
	return Start(t).Open(t, htmlPath, name)
}

// chartsJS lists the charts as Chart values.
const chartsJS = `Array.from(document.querySelectorAll('svg.chart')).map(s => ({
	id: s.id,
	width: s.getBoundingClientRect().width,
	paths: Array.from(s.querySelectorAll('path.series')).map(p => p.getTotalLength()),
	noData: !!s.querySelector('.nodata'),
}))`

// Open loads the file at htmlPath from a file:// URL in a new tab, waits for its load event and
// 200 ms more for late events, and returns what the page did. The full-page screenshot is saved
// as .artifacts/NAME.png (characters other than letters, digits, '-', '_' and '.' become '_').
// Failing to drive the browser, or a page not loaded within Timeout, fails t.
func (b *Browser) Open(t testing.TB, htmlPath, name string) *Page {
	t.Helper()
	abs, err := filepath.Abs(htmlPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(abs); err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	tab, closeTab := chromedp.NewContext(b.ctx)
	defer closeTab()
	// Open the tab first (bounded from outside, as in Start), so the listener sees every event of
	// the page.
	bounded(t, "open a tab", func() error { return chromedp.Do(tab) })
	ctx, cancel := context.WithTimeout(tab, Timeout)
	defer cancel()
	var mu sync.Mutex
	p := &Page{URL: "file://" + abs}
	err = chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			p.Requests = append(p.Requests, e.Request.URL)
		case *runtime.EventExceptionThrown:
			p.Problems = append(p.Problems, "exception: "+(&chromedp.ExceptionError{ExceptionDetails: e.ExceptionDetails}).Error())
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning || e.Type == runtime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				p.Problems = append(p.Problems, "console "+string(e.Type)+": "+strings.Join(args, " "))
			}
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError || e.Entry.Level == cdplog.EntryLevelWarning {
				p.Problems = append(p.Problems, "log "+string(e.Entry.Level)+": "+e.Entry.Text+" "+e.Entry.URL)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	fail := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s %s in chromium: %v", what, p.URL, err)
		}
	}
	_, err = chromedp.Call(ctx, network.Enable, network.EnableParams{})
	fail("enable network events for", err)
	_, err = chromedp.Call(ctx, runtime.Enable, cdp.Empty{})
	fail("enable runtime events for", err)
	_, err = chromedp.Call(ctx, cdplog.Enable, cdp.Empty{})
	fail("enable log events for", err)
	fail("open", chromedp.Do(ctx, chromedp.Navigate(p.URL), chromedp.WaitReady(chromedp.CSS("body"))))
	p.Title, err = chromedp.Run(ctx, chromedp.Title())
	fail("read the title of", err)
	p.Text, err = chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	fail("read the text of", err)
	p.Charts, err = chromedp.Run(ctx, chromedp.Evaluate[[]Chart](chartsJS))
	fail("list the charts of", err)
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	fail("screenshot", err)
	// Let late events (a failed subresource, a deferred error) arrive before reading.
	fail("wait on", chromedp.Do(ctx, chromedp.Sleep(200*time.Millisecond)))

	if err := os.MkdirAll(b.artifact, 0o755); err != nil {
		t.Fatal(err)
	}
	p.Screenshot = filepath.Join(b.artifact, safeName.ReplaceAllString(name, "_")+".png")
	if err := os.WriteFile(p.Screenshot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	p.Requests = append([]string(nil), p.Requests...)
	p.Problems = append([]string(nil), p.Problems...)
	return p
}

// bounded runs f, failing t when it errs or does not return within Timeout (f keeps running
// until the browser is stopped at t's cleanup).
func bounded(t testing.TB, what string, f func() error) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	case <-time.After(Timeout):
		t.Fatalf("%s: no answer within %v", what, Timeout)
	}
}

var safeName = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// String summarises the page for test logs.
func (p *Page) String() string {
	return fmt.Sprintf("%s: title %q, %d/%d charts drawn, %d requests, %d problems, screenshot %s",
		p.URL, p.Title, p.ChartsDrawn(), len(p.Charts), len(p.Requests), len(p.Problems), p.Screenshot)
}

// chromiumPath finds a Chromium binary on PATH; without one it skips t (fails it under CI=true).
func chromiumPath(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if testenv.CI() {
		t.Fatal("no chromium found under CI=true: run scripts/ensure-chromium.sh")
	}
	t.Skip("no chromium found (scripts/ensure-chromium.sh installs it)")
	return ""
}
