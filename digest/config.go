package digest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
)

// Config is digest.yaml: where the vault, outputs and state live, what to
// select, and how to publish and deliver. See DESIGN §6.
type Config struct {
	Vault       string   `yaml:"vault"`
	Tags        []string `yaml:"-"`    // the configured tags, without '#'
	TagSpecs    TagSpecs `yaml:"tags"` // as written: a tag, or {tag, title}; Resolve fills Tags and Site.TagTitles from it
	Out         string   `yaml:"out"`
	State       string   `yaml:"state"`
	Subscribers string   `yaml:"subscribers"`
	Templates   string   `yaml:"templates"`
	Site        Site     `yaml:"site"`
	From        string   `yaml:"from"`
	Schedule    Schedule `yaml:"schedule"`
	SMTP        *SMTP    `yaml:"smtp"`
	Outbox      string   `yaml:"outbox"`
	Send        Send     `yaml:"send"`
	SecretEnv   string   `yaml:"secret_env"`
	Feed        Feed     `yaml:"feed"`
	Excerpt     int      `yaml:"excerpt_width"` // display columns of an item's excerpt
	DKIM        *DKIM    `yaml:"dkim"`
	Email       Email    `yaml:"email"`
	// ReturnPath is the envelope sender (MAIL FROM) of every issue mailed
	// over SMTP, VERP-tagged per recipient (see VERP), so that a bounce
	// names the reader it is about.
	ReturnPath string         `yaml:"return_path"`
	Bounces    *BounceMailbox `yaml:"bounces"`
	Subscribe  Subscribe      `yaml:"subscribe"`
}

// Subscribe bounds the subscribe form of `digest serve`: requests per
// network (so that one carrier NAT is one client, and sixty addresses of
// one /24 are not sixty), confirmation mails in all, and per address.
type Subscribe struct {
	PerNetwork Rate         `yaml:"per_network"` // requests per /24 (IPv4) or /56 (IPv6)
	Overall    Rate         `yaml:"overall"`     // confirmation mails, all addresses together
	PerAddress ConfirmLimit `yaml:"per_address"`
}

// Rate is a token bucket: Burst at once, then one per Every.
type Rate struct {
	Burst int           `yaml:"burst"`
	Every time.Duration `yaml:"every"`
}

// DefaultSubscribe are the subscribe limits when digest.yaml sets none:
// generous enough for a launch spike or a carrier NAT, tight enough that
// the form cannot be used to mail-bomb the relay.
var DefaultSubscribe = Subscribe{
	PerNetwork: Rate{Burst: 20, Every: 30 * time.Second},
	Overall:    Rate{Burst: 200, Every: 5 * time.Second},
	PerAddress: DefaultConfirmLimit,
}

// BounceMailbox is the mailbox that receives what return_path receives: delivery
// status notifications, complaints, mailed unsubscribe requests. It is a
// Maildir or an IMAP mailbox.
type BounceMailbox struct {
	Maildir string `yaml:"maildir"`
	// IMAP is imaps://user@host[:port]/MAILBOX (TLS), or imap://… with
	// STARTTLS; the password comes from the environment.
	IMAP string `yaml:"imap"`
	// Move names the IMAP folder a handled message is moved to; without
	// it a handled message is only marked \Seen and \Flagged.
	Move string `yaml:"move"`
	// Every is how often digest serve reads the mailbox (default 10m).
	Every time.Duration `yaml:"every"`
}

// Email tunes the messages.
type Email struct {
	MaxItems int `yaml:"max_items"` // items in a message at most; the rest are on the web page
}

// Site describes the published newsletter.
type Site struct {
	Title    string `yaml:"title"`
	URL      string `yaml:"url"` // absolute, without trailing slash
	Author   string `yaml:"author"`
	Email    string `yaml:"email"`
	Language string `yaml:"language"`
	// PostalAddress is shown in every mail's footer when set (CAN-SPAM
	// asks a sender for one).
	PostalAddress string `yaml:"postal_address"`
	// TagTitles are the display titles of configured tags, shown as
	// section headings (tags: [{tag: 未来趋势, title: 未来趋势观察}]).
	TagTitles map[string]string `yaml:"-"`
	// Tags are the configured tags (Config.Tags): each has its feeds, and
	// the subscribe form offers a choice when there are several.
	Tags []string `yaml:"-"`
}

// TagTitle is how a section of items of tag is headed: its configured
// title, else the tag as a tag: "#AI".
func (s Site) TagTitle(tag string) string {
	if t := s.TagTitles[tag]; t != "" {
		return t
	}
	return "#" + tag
}

// TagSpec is one entry of the tags list: a tag, with a display title or
// not.
type TagSpec struct {
	Tag   string `yaml:"tag"`
	Title string `yaml:"title"`
}

// TagSpecs is the tags list as written in digest.yaml.
type TagSpecs []TagSpec

// UnmarshalYAML reads an entry that is a plain tag or a {tag, title} map.
func (t *TagSpec) UnmarshalYAML(unmarshal func(any) error) error {
	var s string
	if err := unmarshal(&s); err == nil {
		*t = TagSpec{Tag: s}
		return nil
	}
	var m map[string]string
	if err := unmarshal(&m); err != nil {
		return errors.New("tags: a tag is a string or a map of tag and title")
	}
	for k := range m {
		if k != "tag" && k != "title" {
			return fmt.Errorf("tags: unknown key %q (a tag's keys are tag and title)", k)
		}
	}
	*t = TagSpec{Tag: m["tag"], Title: m["title"]}
	return nil
}

// Schedule is when `digest serve` builds and sends the weekly issue.
type Schedule struct {
	Weekday  string        `yaml:"weekday"`
	Time     string        `yaml:"time"` // HH:MM in Timezone
	Timezone string        `yaml:"timezone"`
	Grace    time.Duration `yaml:"grace"` // how late a missed run may still be caught up

	loc *time.Location
	day time.Weekday
	min int // minutes after midnight
}

// SMTP is the relay messages are handed to; without it they go to the outbox.
type SMTP struct {
	Host     string `yaml:"host"`
	Port     int    `yaml:"port"`
	Username string `yaml:"username"`
	TLS      string `yaml:"tls"`  // mandatory, opportunistic, none (or tls for implicit TLS)
	Helo     string `yaml:"helo"` // the name given in EHLO; empty means this machine's host name
	// Timeouts (RFC 5321 §4.5.3.2): Timeout bounds connecting and each
	// command's reply, DataTimeout each write of a message's data, and
	// FinalTimeout the reply to the final dot, after which a message may
	// be queued and a missing answer leaves its recipient unknown.
	Timeout      time.Duration `yaml:"timeout"`
	DataTimeout  time.Duration `yaml:"data_timeout"`
	FinalTimeout time.Duration `yaml:"final_timeout"`
	Password     string        `yaml:"-"` // from the environment, never from the file
}

// Send tunes delivery.
type Send struct {
	Concurrency int     `yaml:"concurrency"`
	Rate        float64 `yaml:"rate"` // messages per second, 0 = unlimited
	Retries     int     `yaml:"retries"`
}

// Feed tunes the feeds.
type Feed struct {
	Entries int `yaml:"entries"` // how many issues the feeds carry
}

// DKIM signs outgoing mail when set: with an RSA key, and with an Ed25519
// key beside it when Ed25519 is set (RFC 8463).
type DKIM struct {
	Domain   string   `yaml:"domain"`
	Selector string   `yaml:"selector"`
	KeyFile  string   `yaml:"key_file"` // PEM RSA private key, relative to the config file
	Ed25519  *DKIMKey `yaml:"ed25519"`
}

// DKIMKey is a further DKIM key of the domain.
type DKIMKey struct {
	Selector string `yaml:"selector"`
	KeyFile  string `yaml:"key_file"` // PEM private key, relative to the config file
}

// DefaultConfig is the configuration used when there is no file, and the base
// a file's values are laid over.
func DefaultConfig() *Config {
	return &Config{
		Vault:       "vault",
		Tags:        []string{"AI", "未来趋势"},
		Out:         "public",
		State:       ".digest/state.db",
		Subscribers: "subscribers.csv",
		Site: Site{
			Title:    "Weekly Digest",
			URL:      "http://localhost:8080",
			Author:   "Weekly Digest",
			Language: "zh-CN",
		},
		From:      "Weekly Digest <digest@example.com>",
		Schedule:  Schedule{Weekday: "monday", Time: "08:00", Timezone: "Asia/Shanghai", Grace: 24 * time.Hour},
		Outbox:    "outbox",
		Send:      Send{Concurrency: 4, Retries: 5},
		SecretEnv: "DIGEST_SECRET",
		Feed:      Feed{Entries: 20},
		Excerpt:   240,
		Email:     Email{MaxItems: 30},
		Subscribe: DefaultSubscribe,
	}
}

// ParseConfig reads digest.yaml from r over the defaults. name is used in
// errors; dir is the folder relative paths are resolved against.
func ParseConfig(r io.Reader, name, dir string) (*Config, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	c := DefaultConfig()
	if len(bytes.TrimSpace(data)) > 0 {
		if err := yaml.UnmarshalWithOptions(data, c, yaml.DisallowUnknownField()); err != nil {
			return nil, yamlConfigError(name, data, err)
		}
	}
	if err := c.Resolve(dir); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return c, nil
}

// Resolve validates the configuration and makes its paths absolute against
// dir. ParseConfig calls it; callers building a Config by hand call it too.
func (c *Config) Resolve(dir string) error {
	abs := func(p string) string {
		if home, err := os.UserHomeDir(); err == nil && (p == "~" || strings.HasPrefix(p, "~/")) {
			p = filepath.Join(home, p[1:])
		}
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	c.Vault, c.Out, c.State = abs(c.Vault), abs(c.Out), abs(c.State)
	c.Subscribers, c.Templates, c.Outbox = abs(c.Subscribers), abs(c.Templates), abs(c.Outbox)
	if c.DKIM != nil {
		c.DKIM.KeyFile = abs(c.DKIM.KeyFile)
		if c.DKIM.Ed25519 != nil {
			c.DKIM.Ed25519.KeyFile = abs(c.DKIM.Ed25519.KeyFile)
		}
	}
	if c.Bounces != nil {
		c.Bounces.Maildir = abs(c.Bounces.Maildir)
	}

	if c.TagSpecs != nil {
		c.Tags = c.Tags[:0:0]
		c.Site.TagTitles = nil
		for _, t := range c.TagSpecs {
			c.Tags = append(c.Tags, t.Tag)
			if title := strings.TrimSpace(t.Title); title != "" {
				if c.Site.TagTitles == nil {
					c.Site.TagTitles = map[string]string{}
				}
				c.Site.TagTitles[strings.TrimPrefix(strings.TrimSpace(t.Tag), "#")] = title
			}
		}
	}
	if len(c.Tags) == 0 {
		return errors.New("tags: at least one tag is needed")
	}
	for i, t := range c.Tags {
		c.Tags[i] = strings.TrimPrefix(strings.TrimSpace(t), "#")
		if c.Tags[i] == "" {
			return fmt.Errorf("tags[%d]: empty tag", i)
		}
	}
	c.Site.Tags = append([]string(nil), c.Tags...)
	u, err := url.Parse(c.Site.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("site.url: %q is not an absolute http(s) URL", c.Site.URL)
	}
	c.Site.URL = strings.TrimRight(c.Site.URL, "/")
	if c.Site.Title == "" {
		return errors.New("site.title: empty")
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		return fmt.Errorf("from: %q: %v", c.From, err)
	}
	if err := c.Schedule.resolve(); err != nil {
		return err
	}
	if s := c.SMTP; s != nil {
		if s.Host == "" {
			return errors.New("smtp.host: empty")
		}
		if s.Port == 0 {
			s.Port = 587
		}
		if s.Port < 1 || s.Port > 65535 {
			return fmt.Errorf("smtp.port: %d out of range", s.Port)
		}
		switch s.TLS {
		case "":
			s.TLS = "mandatory"
		case "mandatory", "opportunistic", "none", "tls":
		default:
			return fmt.Errorf("smtp.tls: %q is not one of mandatory, opportunistic, none, tls", s.TLS)
		}
		for _, t := range []struct {
			key string
			d   *time.Duration
			def time.Duration
		}{
			{"timeout", &s.Timeout, 30 * time.Second},
			{"data_timeout", &s.DataTimeout, 3 * time.Minute},
			{"final_timeout", &s.FinalTimeout, 10 * time.Minute},
		} {
			if *t.d == 0 {
				*t.d = t.def
			}
			if *t.d < 0 {
				return fmt.Errorf("smtp.%s: %v is negative", t.key, *t.d)
			}
		}
	}
	if c.Send.Concurrency < 1 || c.Send.Concurrency > 64 {
		return fmt.Errorf("send.concurrency: %d is not between 1 and 64", c.Send.Concurrency)
	}
	if c.Send.Rate < 0 {
		return fmt.Errorf("send.rate: %v is negative", c.Send.Rate)
	}
	if c.Send.Retries < 0 {
		return fmt.Errorf("send.retries: %d is negative", c.Send.Retries)
	}
	if c.Feed.Entries < 1 {
		return fmt.Errorf("feed.entries: %d is less than 1", c.Feed.Entries)
	}
	if c.Excerpt < 40 {
		return fmt.Errorf("excerpt_width: %d is less than 40", c.Excerpt)
	}
	if c.Email.MaxItems < 1 {
		return fmt.Errorf("email.max_items: %d is less than 1", c.Email.MaxItems)
	}
	if c.SecretEnv == "" {
		return errors.New("secret_env: empty")
	}
	for _, r := range []struct {
		key string
		r   Rate
	}{{"subscribe.per_network", c.Subscribe.PerNetwork}, {"subscribe.overall", c.Subscribe.Overall}} {
		if r.r.Burst < 1 || r.r.Every <= 0 {
			return fmt.Errorf("%s: want a burst of at least 1 and a positive every, e.g. {burst: 20, every: 30s}", r.key)
		}
	}
	if l := c.Subscribe.PerAddress; l.PerDay < 1 || l.Interval < 0 {
		return errors.New("subscribe.per_address: want per_day of at least 1 and a non-negative interval, e.g. {interval: 10m, per_day: 3}")
	}
	if d := c.DKIM; d != nil && (d.Domain == "" || d.Selector == "" || d.KeyFile == "") {
		return errors.New("dkim: domain, selector and key_file are all needed")
	}
	if d := c.DKIM; d != nil && d.Ed25519 != nil {
		switch {
		case d.Ed25519.Selector == "" || d.Ed25519.KeyFile == "":
			return errors.New("dkim.ed25519: selector and key_file are both needed")
		case d.Ed25519.Selector == d.Selector:
			return fmt.Errorf("dkim.ed25519.selector: %q is also the RSA key's: each key needs its own selector", d.Selector)
		}
	}
	if s := c.SMTP; s != nil && s.Helo != "" && !helo.MatchString(s.Helo) {
		return fmt.Errorf("smtp.helo: %q is not a host name", s.Helo)
	}
	if c.ReturnPath != "" {
		a, err := mail.ParseAddress(c.ReturnPath)
		if err != nil || a.Name != "" || !strings.Contains(a.Address, "@") || !isASCII(a.Address) || strings.Contains(a.Address, "\"") {
			return fmt.Errorf("return_path: %q is not a bare address such as bounces@example.org", c.ReturnPath)
		}
		c.ReturnPath = a.Address
	}
	return c.resolveBounces()
}

// resolveBounces checks the bounces setting.
func (c *Config) resolveBounces() error {
	b := c.Bounces
	if b == nil {
		return nil
	}
	if (b.Maildir == "") == (b.IMAP == "") {
		return errors.New("bounces: set one of maildir and imap")
	}
	if c.ReturnPath == "" {
		return errors.New("bounces: return_path is not set: the bounce mailbox is where mail to return_path arrives, and bounces only name a reader when they come back to a VERP-tagged return_path")
	}
	if b.IMAP != "" {
		u, err := url.Parse(b.IMAP)
		if err != nil || (u.Scheme != "imap" && u.Scheme != "imaps") || u.Hostname() == "" || u.User.Username() == "" {
			return fmt.Errorf("bounces.imap: %q is not imaps://user@host/MAILBOX (or imap://… for STARTTLS)", b.IMAP)
		}
		if _, ok := u.User.Password(); ok {
			return fmt.Errorf("bounces.imap: %q holds a password: it comes from the environment (DIGEST_IMAP_PASSWORD), never from the file", u.Redacted())
		}
	}
	if b.Every == 0 {
		b.Every = 10 * time.Minute
	}
	if b.Every < time.Minute {
		return fmt.Errorf("bounces.every: %v is less than a minute", b.Every)
	}
	return nil
}

// CheckRealSend refuses settings that would mail broken or misleading mail
// to real people over SMTP: links to a site readers cannot reach, or not
// over HTTPS (RFC 8058 one-click unsubscribe needs it), a From address at
// a placeholder domain, a DKIM domain that DMARC would not align with From.
// The Maildir outbox and test copies are exempt.
func (c *Config) CheckRealSend() error {
	u, err := url.Parse(c.Site.URL)
	if err != nil || u.Scheme != "https" {
		return fmt.Errorf("site.url: %q is not an https:// address: the unsubscribe links in every mail point there, and one-click unsubscribe (RFC 8058) needs HTTPS; set site.url to the public address of digest serve", c.Site.URL)
	}
	if placeholderHost(u.Hostname()) {
		return fmt.Errorf("site.url: %q is a local or example address that readers cannot reach: every unsubscribe link would be broken; set site.url to the public address of digest serve", c.Site.URL)
	}
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return fmt.Errorf("from: %q: %v", c.From, err)
	}
	domain := strings.ToLower(from.Address[strings.LastIndexByte(from.Address, '@')+1:])
	if placeholderHost(domain) {
		return fmt.Errorf("from: %q is at a placeholder domain: mail from it is refused or lands in spam; set from to an address of your own domain", c.From)
	}
	if d := c.DKIM; d != nil {
		dd := strings.ToLower(strings.TrimSuffix(d.Domain, "."))
		if dd != domain && !strings.HasSuffix(domain, "."+dd) && !strings.HasSuffix(dd, "."+domain) {
			return fmt.Errorf("dkim.domain: %q is not aligned with the from domain %q: DMARC would fail; sign with the from address's domain", d.Domain, domain)
		}
	}
	return nil
}

// placeholderHost reports whether host is local or reserved for examples
// (RFC 2606, RFC 6761): localhost, a loopback or unspecified address,
// example.com and its like, .test, .invalid, .local.
func placeholderHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.IsLoopback() || ip.IsUnspecified() || ip.IsPrivate() || ip.IsLinkLocalUnicast()
	}
	labels := strings.Split(host, ".")
	switch labels[len(labels)-1] {
	case "localhost", "test", "invalid", "example", "local", "internal":
		return true
	}
	return len(labels) >= 2 && labels[len(labels)-2] == "example" || host == ""
}

// helo matches a fully qualified host name or an address literal.
var helo = regexp.MustCompile(`^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9-]{2,63}$|^\[[0-9A-Fa-f:.]+\]$`)

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

func (s *Schedule) resolve() error {
	d, ok := weekdays[strings.ToLower(s.Weekday)]
	if !ok {
		return fmt.Errorf("schedule.weekday: %q is not a day of the week", s.Weekday)
	}
	t, err := time.Parse("15:04", s.Time)
	if err != nil {
		return fmt.Errorf("schedule.time: %q is not HH:MM", s.Time)
	}
	loc, err := time.LoadLocation(s.Timezone)
	if err != nil {
		return fmt.Errorf("schedule.timezone: %q: %v", s.Timezone, err)
	}
	if s.Grace < 0 {
		return fmt.Errorf("schedule.grace: %v is negative", s.Grace)
	}
	s.day, s.min, s.loc = d, t.Hour()*60+t.Minute(), loc
	return nil
}

// Location is the schedule's time zone, which also names issues (ISO weeks).
func (s Schedule) Location() *time.Location {
	if s.loc == nil {
		return time.UTC
	}
	return s.loc
}

// Host is the site's host name, used in Message-IDs.
func (s Site) Host() string {
	u, err := url.Parse(s.URL)
	if err != nil {
		return "localhost"
	}
	return u.Hostname()
}

var yamlPos = regexp.MustCompile(`^\[(\d+):(\d+)\] `)

// yamlConfigError turns a YAML decoding error into "file:line:col: key:
// message", naming the key nearest before the error on its line, since the
// library names Go struct fields rather than the keys a user wrote.
func yamlConfigError(name string, data []byte, err error) error {
	msg := strings.TrimSpace(yaml.FormatError(err, false, false))
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	m := yamlPos.FindStringSubmatch(msg)
	if m == nil {
		return fmt.Errorf("%s: %s", name, msg)
	}
	msg = msg[len(m[0]):]
	line, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	lines := strings.Split(string(data), "\n")
	if line >= 1 && line <= len(lines) {
		src := lines[line-1]
		if col-1 < len(src) {
			src = src[:max(col-1, 0)]
		}
		if keys := yamlKey.FindAllStringSubmatch(src, -1); len(keys) > 0 && !strings.Contains(msg, "unknown field") {
			msg = keys[len(keys)-1][1] + ": " + msg
		}
	}
	return fmt.Errorf("%s:%d:%d: %s", name, line, col, msg)
}

var yamlKey = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)\s*:`)
