package weekly

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/mailer"
)

// Progress shows how a send goes: a bar on a terminal, else a log line
// every few seconds. Failures are logged as they happen. Its Start and
// Event methods are a send's OnStart and OnResult.
type Progress struct {
	Log func(format string, args ...any)
	Bar io.Writer // the terminal the bar is drawn on; nil for log lines

	issue                 string
	total, n              int
	sent, failed, retried int
	last                  time.Time
	bar                   *progressbar.ProgressBar
}

// progressEvery is how often the log-line form says how far a send is.
const progressEvery = 5 * time.Second

// Start is told which issue goes out to how many recipients.
func (p *Progress) Start(issue string, total int) {
	p.issue, p.total, p.last = issue, total, time.Now()
	if p.Bar != nil && total > 0 {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(p.Bar),
			progressbar.OptionSetDescription("sending "+issue),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("msg"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
}

// Event is told of each row settled or put back to wait, one at a time.
func (p *Progress) Event(e mailer.Event) {
	switch e.State {
	case digest.Sent:
		p.sent++
	case digest.Failed:
		p.failed++
		if p.bar != nil {
			p.bar.Clear()
		}
		p.Log("%s: failed (try %d): %s", e.Email, e.Attempts, e.Result.Response)
	case digest.Pending:
		p.retried++
		return // not done with: the bar does not move
	}
	p.n++
	if p.bar != nil {
		p.bar.Add(1)
		return
	}
	if time.Since(p.last) >= progressEvery {
		p.last = time.Now()
		of := ""
		if p.total > 0 {
			of = fmt.Sprintf("/%d", p.total)
		}
		p.Log("%s: %d%s done: %d sent, %d failed, %d retries", p.issue, p.n, of, p.sent, p.failed, p.retried)
	}
}

// Done ends the bar.
func (p *Progress) Done() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
