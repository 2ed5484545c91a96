package weekly

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/digest-newsletter/digest/digest"
)

// PreviewTo is the recipient a previewed mail is addressed to: one who
// wants every tag.
const PreviewTo = "reader@example.com"

// Preview is the next issue as a plain send would mail it now, rendered
// afresh: the issue page, and one subscriber's mail.
type Preview struct {
	Build *BuildResult
	Page  []byte // the issue's web page
	EML   []byte // the whole message
	HTML  []byte // its HTML part
	Text  []byte // its plain-text part
}

// Preview renders what a plain send would mail now (the newest unmailed
// issue, else this week's as it would be built) and records nothing. The
// templates are parsed again, so that an edit shows at once.
func (n *Newsletter) Preview(ctx context.Context, now time.Time) (*Preview, error) {
	n.renderer = nil
	r, err := n.render()
	if err != nil {
		return nil, err
	}
	is, built, err := n.issueToMail(ctx, now, "", false)
	if err != nil {
		return nil, err
	}
	p := &Preview{Build: built}
	if built == nil { // a published issue, not yet mailed
		p.Build = &BuildResult{Errors: []string{}, Published: true}
		p.Build.fill(is)
	}
	if is == nil {
		return p, nil
	}
	var buf bytes.Buffer
	if err := r.IssuePage(&buf, n.Config.Site, is); err != nil {
		return nil, fmt.Errorf("render issue page: %w", err)
	}
	p.Page = bytes.Clone(buf.Bytes())
	c, err := n.composer(is, now)
	if err != nil {
		return nil, err
	}
	m, err := c.Compose(digest.Subscriber{Email: PreviewTo, Status: digest.StatusActive})
	if err != nil {
		return nil, err
	}
	buf.Reset()
	if _, err := m.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("write message: %w", err)
	}
	p.EML = bytes.Clone(buf.Bytes())
	p.HTML, p.Text = []byte(m.HTML()), []byte(m.Text())
	return p, nil
}
