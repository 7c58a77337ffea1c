package reports

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// artifactsDir is the git-ignored folder CI uploads (screenshots of the browser test).
const artifactsDir = "../.artifacts"

// chromiumPath finds Debian's chromium (scripts/ensure-chromium.sh installs it). Without one the
// test is skipped, except under CI=true where a missing browser is a failure.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium found under CI=true: run scripts/ensure-chromium.sh")
	}
	t.Skip("no chromium found (scripts/ensure-chromium.sh installs it)")
	return ""
}

type chartInfo struct {
	ID     string    `json:"id"`
	Width  float64   `json:"width"`
	Paths  []float64 `json:"paths"` // total length of each data path in px
	NoData bool      `json:"noData"`
}

// pageVisit is what the browser saw of one page.
type pageVisit struct {
	title, banner string
	charts        []chartInfo
	requests      []string // URLs of every request the page made, the document included
	problems      []string // exceptions, console errors and warnings, browser log errors and warnings
	screenshot    []byte   // PNG of the full page
}

// visit opens url in a new tab of the browser behind bctx and collects what the page did.
func visit(t *testing.T, bctx context.Context, url string) *pageVisit {
	t.Helper()
	tab, closeTab := chromedp.NewContext(bctx)
	defer closeTab()
	// Open the tab first, so the listener sees every event of the page.
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	if _, err := chromedp.Call(tab, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("enable network events: %v", err)
	}
	var mu sync.Mutex
	v := &pageVisit{}
	err := chromedp.Listen(tab, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			v.requests = append(v.requests, e.Request.URL)
		case *runtime.EventExceptionThrown:
			v.problems = append(v.problems, "exception: "+(&chromedp.ExceptionError{ExceptionDetails: e.ExceptionDetails}).Error())
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning || e.Type == runtime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				v.problems = append(v.problems, "console "+string(e.Type)+": "+strings.Join(args, " "))
			}
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError || e.Entry.Level == cdplog.EntryLevelWarning {
				v.problems = append(v.problems, "log "+string(e.Entry.Level)+": "+e.Entry.Text+" "+e.Entry.URL)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	if v.title, err = chromedp.Run(tab, chromedp.Title()); err != nil {
		t.Fatal(err)
	}
	if v.banner, err = chromedp.Run(tab, chromedp.Text(chromedp.ID("summary"))); err != nil {
		t.Fatal(err)
	}
	v.charts, err = chromedp.Run(tab, chromedp.Evaluate[[]chartInfo](`Array.from(document.querySelectorAll('svg.chart')).map(s => ({
		id: s.id,
		width: s.getBoundingClientRect().width,
		paths: Array.from(s.querySelectorAll('path.series')).map(p => p.getTotalLength()),
		noData: !!s.querySelector('.nodata'),
	}))`))
	if err != nil {
		t.Fatal(err)
	}
	if v.screenshot, err = chromedp.Run(tab, chromedp.FullScreenshot(100)); err != nil {
		t.Fatal(err)
	}
	// Let late events (a failed subresource, a deferred error) arrive before reading.
	if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](`new Promise(r => setTimeout(() => r(true), 200))`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	v.requests = append([]string(nil), v.requests...)
	v.problems = append([]string(nil), v.problems...)
	return v
}

// TestHTMLInChromium opens the report of a realistic 10-minute run (verification with every
// status, a REST and an AMQP workload) in headless Chromium from a file:// URL and checks through
// the DOM that every chart was laid out and drew its data, that nothing was logged as an error or
// thrown, and that the page requested nothing but itself. It saves a screenshot under
// .artifacts/. The same checks run on a broken page first, to show they catch what they look for.
func TestHTMLInChromium(t *testing.T) {
	browser := chromiumPath(t)
	f := sampleFile(t, 600)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := WriteOutputs(f, Outputs{HTML: page}); err != nil {
		t.Fatal(err)
	}
	// A page that breaks each rule: a network request, a script exception, a console error.
	broken := filepath.Join(dir, "broken.html")
	if err := os.WriteFile(broken, []byte(`<!DOCTYPE html><title>broken</title><div id="summary">x</div>
<img src="http://127.0.0.1:9/pixel.png"><script>console.error("boom"); null.f()</script><footer></footer>`), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(browser),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.WindowSize(1200, 900),
	)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}

	bad := visit(t, bctx, "file://"+broken)
	var external, exception, consoleErr bool
	for _, u := range bad.requests {
		external = external || strings.HasPrefix(u, "http://127.0.0.1:9/")
	}
	for _, p := range bad.problems {
		exception = exception || strings.HasPrefix(p, "exception:")
		consoleErr = consoleErr || strings.Contains(p, "boom")
	}
	if !external || !exception || !consoleErr {
		t.Fatalf("the checks miss a broken page: request seen %v, exception seen %v, console error seen %v\nrequests %q\nproblems %q",
			external, exception, consoleErr, bad.requests, bad.problems)
	}

	pageURL := "file://" + page
	v := visit(t, bctx, pageURL)
	if !strings.Contains(v.title, "FAIL") || !strings.Contains(v.banner, "FAIL") {
		t.Errorf("title %q / banner %q lack the verdict", v.title, v.banner)
	}
	if want := 3 * len(f.Workloads); len(v.charts) != want {
		t.Fatalf("%d charts in the DOM, want %d", len(v.charts), want)
	}
	for _, c := range v.charts {
		if c.Width < 300 {
			t.Errorf("chart %s laid out %.0f px wide", c.ID, c.Width)
		}
		if c.NoData || len(c.Paths) < 2 {
			t.Errorf("chart %s drew %d series (no data: %v), want at least 2", c.ID, len(c.Paths), c.NoData)
		}
		for i, l := range c.Paths {
			if l < 100 {
				t.Errorf("chart %s series %d is %.0f px long: not drawn", c.ID, i, l)
			}
		}
	}
	for _, u := range v.requests {
		if u != pageURL {
			t.Errorf("the page requested %s", u)
		}
	}
	for _, p := range v.problems {
		t.Errorf("browser reported: %s", p)
	}

	if err := os.MkdirAll(artifactsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(artifactsDir, "report-chromium.png")
	if err := os.WriteFile(out, v.screenshot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes); requests: %v", out, len(v.screenshot), v.requests)
}
