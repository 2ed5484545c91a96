package digest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig(strings.NewReader(`
vault: ./v
tags: ["#AI", 未来趋势]
site: {title: T, url: "https://x.example/", language: ja}
schedule: {weekday: Friday, time: "07:30", timezone: Asia/Tokyo}
smtp: {host: relay.example, username: u, helo: mail.x.example}
dkim: {domain: x.example, selector: rsa1, key_file: rsa.pem, ed25519: {selector: ed1, key_file: keys/ed.pem}}
`), "digest.yaml", "/conf")
	if err != nil {
		t.Fatal(err)
	}
	if c.Vault != "/conf/v" || c.Out != "/conf/public" || c.State != "/conf/.digest/state.db" {
		t.Errorf("paths not relative to the file: %q %q %q", c.Vault, c.Out, c.State)
	}
	if c.Tags[0] != "AI" || c.Tags[1] != "未来趋势" {
		t.Errorf("tags = %q", c.Tags)
	}
	if c.Site.URL != "https://x.example" {
		t.Errorf("site.url = %q, want no trailing slash", c.Site.URL)
	}
	if c.SMTP.Port != 587 || c.SMTP.TLS != "mandatory" {
		t.Errorf("smtp defaults: port %d tls %q", c.SMTP.Port, c.SMTP.TLS)
	}
	// RFC 5321 4.5.3.2: up to 10 minutes for the reply to the final dot.
	if s := c.SMTP; s.Timeout != 30*time.Second || s.DataTimeout != 3*time.Minute || s.FinalTimeout != 10*time.Minute {
		t.Errorf("smtp timeouts %v, %v, %v", s.Timeout, s.DataTimeout, s.FinalTimeout)
	}
	if c.SMTP.Helo != "mail.x.example" {
		t.Errorf("smtp.helo = %q", c.SMTP.Helo)
	}
	if d := c.DKIM; d.KeyFile != "/conf/rsa.pem" || d.Ed25519 == nil || d.Ed25519.Selector != "ed1" || d.Ed25519.KeyFile != "/conf/keys/ed.pem" {
		t.Errorf("dkim = %+v, ed25519 = %+v", d, d.Ed25519)
	}
	if c.Schedule.Location().String() != "Asia/Tokyo" {
		t.Errorf("timezone = %v", c.Schedule.Location())
	}
}

func TestParseConfigBounces(t *testing.T) {
	c, err := ParseConfig(strings.NewReader("return_path: b@x.example\nbounces: {maildir: ./bounces}\n"), "digest.yaml", "/conf")
	if err != nil {
		t.Fatal(err)
	}
	if c.ReturnPath != "b@x.example" || c.Bounces.Maildir != "/conf/bounces" || c.Bounces.Every != 10*time.Minute {
		t.Errorf("return_path %q, bounces %+v", c.ReturnPath, c.Bounces)
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"colour: blue", "colour"},
		{"tags: []", "tags"},
		{"site: {url: ftp://x}", "site.url"},
		{"schedule: {weekday: someday}", "schedule.weekday"},
		{"schedule: {time: '25:00'}", "schedule.time"},
		{"schedule: {timezone: Mars/Olympus}", "schedule.timezone"},
		{"smtp: {host: h, tls: maybe}", "smtp.tls"},
		{"smtp: {host: h, port: 70000}", "smtp.port"},
		{"smtp: {host: h, final_timeout: -1s}", "smtp.final_timeout"},
		{"send: {concurrency: 0}", "send.concurrency"},
		{"send: {rate: -1}", "send.rate"},
		{"from: not an address", "from"},
		{"site: {title: [a, b]}", "title"},
		{"smtp: {host: h, helo: 'bad name'}", "smtp.helo"},
		{"smtp: {host: h, helo: localhost}", "smtp.helo"},
		{"dkim: {domain: d.example, selector: s, key_file: k, ed25519: {selector: s, key_file: e}}", "dkim.ed25519.selector"},
		{"dkim: {domain: d.example, selector: s, key_file: k, ed25519: {key_file: e}}", "dkim.ed25519"},
		{"return_path: Bounces <b@x.example>", "return_path"},
		{"return_path: nobody", "return_path"},
		{"bounces: {maildir: ./b}", "return_path"},
		{"return_path: b@x.example\nbounces: {}", "bounces"},
		{"return_path: b@x.example\nbounces: {maildir: ./b, imap: imaps://u@h/INBOX}", "bounces"},
		{"return_path: b@x.example\nbounces: {imap: 'pop3://u@h/'}", "bounces.imap"},
		{"return_path: b@x.example\nbounces: {imap: 'imaps://h/INBOX'}", "bounces.imap"},
		{"return_path: b@x.example\nbounces: {imap: 'imaps://u:secret@h/INBOX'}", "environment"},
		{"return_path: b@x.example\nbounces: {maildir: b, every: 1s}", "bounces.every"},
		{"return_path: b@x.example\nbounces: {maildir: b, pop: x}", "pop"},
		{"subscribe: {per_network: {burst: 0, every: 1m}}", "subscribe.per_network"},
		{"subscribe: {overall: {burst: 5, every: 0s}}", "subscribe.overall"},
		{"subscribe: {per_address: {per_day: 0}}", "subscribe.per_address"},
		{"subscribe: {per_ip: {burst: 5}}", "per_ip"},
	}
	for _, tt := range tests {
		_, err := ParseConfig(strings.NewReader(tt.yaml), "digest.yaml", "/")
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "digest.yaml:") {
			t.Errorf("%q: got error %v, want one naming %q", tt.yaml, err, tt.want)
		}
	}
}

func TestParseConfigSubscribe(t *testing.T) {
	c, err := ParseConfig(strings.NewReader("subscribe: {per_network: {burst: 50, every: 10s}}"), "digest.yaml", "/")
	if err != nil {
		t.Fatal(err)
	}
	if c.Subscribe.PerNetwork != (Rate{Burst: 50, Every: 10 * time.Second}) || c.Subscribe.Overall != DefaultSubscribe.Overall ||
		c.Subscribe.PerAddress != DefaultConfirmLimit {
		t.Errorf("subscribe = %+v: want per_network set and the other defaults", c.Subscribe)
	}
}

// TestReadmeConfig keeps the README's configuration reference true: it must
// parse as it stands.
func TestReadmeConfig(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "## Configuration\n")
	if !ok {
		t.Fatal("README.md has no Configuration section")
	}
	var block strings.Builder
	started := false
	for _, line := range strings.Split(rest, "\n") {
		if strings.HasPrefix(line, "    ") {
			started = true
			block.WriteString(line[4:] + "\n")
		} else if started && strings.TrimSpace(line) != "" {
			break
		}
	}
	c, err := ParseConfig(strings.NewReader(block.String()), "README.md", "/conf")
	if err != nil {
		t.Fatalf("the README's configuration does not parse: %v\n%s", err, block.String())
	}
	if c.SMTP == nil || c.DKIM == nil || c.Feed.Entries != 20 {
		t.Errorf("parsed %+v: the reference lost keys", c)
	}
}

func TestParseConfigTagTitles(t *testing.T) {
	c, err := ParseConfig(strings.NewReader(`
tags: [AI, {tag: "#未来趋势", title: 未来趋势观察}]
site: {title: T, url: "https://x.example/"}
`), "digest.yaml", "/conf")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Tags) != 2 || c.Tags[0] != "AI" || c.Tags[1] != "未来趋势" {
		t.Errorf("tags = %q, want [AI 未来趋势]", c.Tags)
	}
	if got := c.Site.TagTitle("未来趋势"); got != "未来趋势观察" {
		t.Errorf("TagTitle(未来趋势) = %q, want 未来趋势观察", got)
	}
	if got := c.Site.TagTitle("AI"); got != "#AI" {
		t.Errorf("TagTitle(AI) = %q, want #AI", got)
	}
	for _, bad := range []string{`tags: [{tag: AI, colour: red}]`, `tags: [{title: x}]`, `tags: [[AI]]`} {
		if _, err := ParseConfig(strings.NewReader(bad), "digest.yaml", "/conf"); err == nil || !strings.Contains(err.Error(), "tags") {
			t.Errorf("%s: err = %v, want one naming tags", bad, err)
		}
	}
}
