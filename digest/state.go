package digest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"iter"
	"strings"
	"time"
)

// The state a newsletter keeps between runs, as the rest of the program sees
// it: issues, the delivery ledger, subscribers who joined on the site,
// suppressions, the weekly runs and leases. digest/sqlite implements it;
// digest/storetest is the conformance test any other backend (Postgres)
// runs.

// ErrNotFound is returned (wrapped) when an issue, run or row does not exist.
var ErrNotFound = errors.New("not found")

// ErrSendLocked is returned by LockSend while another process is sending.
var ErrSendLocked = errors.New("another digest send is running on this state")

// Lease errors.
var (
	ErrLeaseHeld = errors.New("held by another process")
	ErrLeaseLost = errors.New("lease lost: it ran out and was taken over")
)

// Delivery states: a row of the ledger moves
//
//	pending → sending → sent | failed | pending (again, after a temporary failure)
//
// A row is made sending, durably, before its message is handed to the relay,
// and given the relay's answer right after. A process that dies in between
// leaves the row sending; the next run turns it into unknown, which is
// reported and resent only when asked. A relay that gives no answer once the
// message is handed over (late, lost with the connection, never) makes the
// row unknown too: it may have queued the message.
const (
	Pending = "pending" // to be sent, once NextTry has passed
	Sending = "sending" // handed, or about to be handed, to the relay
	Sent    = "sent"    // accepted by the relay (or written to the outbox)
	Failed  = "failed"  // refused for good, or given up after the retries
	Unknown = "unknown" // handed over with no answer after (a run died, the relay was silent): it may or may not have arrived
	Skipped = "skipped" // not sent: the subscriber left or was suppressed before their turn
)

// States lists the delivery states in the order a report shows them.
var States = []string{Sent, Pending, Sending, Unknown, Failed, Skipped}

// BounceLimit is how many bounces (deliveries that failed because the relay
// refused the address itself), over all issues, suppress an address.
const BounceLimit = 3

// Delivery is one row of the ledger.
type Delivery struct {
	Issue     string
	Email     string
	Name      string
	Tags      []string
	State     string
	MessageID string
	Attempts  int
	NextTry   time.Time
	Code      int
	Response  string
	Updated   time.Time
}

// Recipient is a subscriber an issue is addressed to, as the ledger keeps
// them: enough to compose their message on any later run.
type Recipient struct {
	Email string
	Name  string
	Tags  []string
}

// Change moves one row of an issue from state From to state To. It applies
// only if the row is still in From, so a change made twice, or raced by
// another process, is a no-op rather than a lie.
type Change struct {
	Email     string
	From, To  string
	MessageID string    // recorded when not empty
	Attempts  int       // added to the row's attempts: 1 when a try begins, -1 when it is taken back
	NextTry   time.Time // for To == Pending
	Code      int
	Response  string
	Bounce    bool // for To == Failed: the address itself was refused; BounceLimit of them suppress it
}

// SendRecord is the delivery of one issue as a whole.
type SendRecord struct {
	Issue    string
	Started  time.Time
	Finished time.Time // zero until every row is settled
}

// Done reports whether the issue's delivery is complete.
func (r SendRecord) Done() bool { return !r.Finished.IsZero() }

// Run outcomes.
const (
	RunSent     = "sent"     // the issue was built and sent
	RunNoIssue  = "no issue" // nothing new: nothing sent
	RunSkipped  = "skipped"  // missed while down, past the grace window
	RunBaseline = "baseline" // first start: the runs before it are not missed
)

// Run is one handled scheduled run of `digest serve`.
type Run struct {
	At       time.Time
	Outcome  string
	Issue    string
	Detail   string
	Finished time.Time
}

// Suppression causes: why an address is no longer mailed.
const (
	CauseUnsubscribed = "unsubscribed" // by the link, one click, or a mailed request
	CauseBounced      = "bounced"      // refused for good: a hard bounce, or BounceLimit refusals at RCPT
	CauseSoftBounced  = "soft-bounced" // SoftBounceLimit temporary failures reported by the bounce mailbox
	CauseComplained   = "complained"   // the reader marked a mail as spam (an ARF feedback report)
)

// SoftBounceLimit is how many soft bounces (delivery status notifications
// of a temporary failure, each report counted once) suppress an address.
const SoftBounceLimit = 3

// Suppression is an address that must not be mailed again, whatever the
// subscriber file says: it unsubscribed, or its mail bounced for good.
type Suppression struct {
	Email   string    `json:"email"`
	Reason  string    `json:"reason"` // a Cause…: "unsubscribed", "bounced", …
	Created time.Time `json:"created"`
}

// ConfirmLimit bounds the confirmation mails sent to one address, so that the
// form cannot be used to flood someone's inbox.
type ConfirmLimit struct {
	Interval time.Duration `yaml:"interval"` // at least this long between two mails
	PerDay   int           `yaml:"per_day"`  // at most this many mails in a day
}

// DefaultConfirmLimit is one mail per 10 minutes and 3 a day per address.
var DefaultConfirmLimit = ConfirmLimit{Interval: 10 * time.Minute, PerDay: 3}

// ConfirmFor is how long a pending confirmation is kept.
const ConfirmFor = 7 * 24 * time.Hour

// Issues keeps the built issues and what they included.
type Issues interface {
	// SaveIssue stores is, replacing an earlier save of the same id.
	SaveIssue(ctx context.Context, is *Issue, now time.Time) error
	// Issue returns the issue id, or an error wrapping ErrNotFound.
	Issue(ctx context.Context, id string) (*Issue, error)
	// LastIssue returns the newest issue, or an error wrapping ErrNotFound.
	LastIssue(ctx context.Context) (*Issue, error)
	// Issues returns the newest n issues (all for n <= 0), newest first.
	Issues(ctx context.Context, n int) ([]*Issue, error)
	// Included reports whether a clipping (by its key or its vault path)
	// is in an issue other than except.
	Included(ctx context.Context, except string) (func(key, path string) bool, error)
}

// Ledger is what delivering an issue reads and writes, row by row.
type Ledger interface {
	// Due returns up to limit pending rows of issue whose next try has
	// come by now, after the address after, in address order.
	Due(ctx context.Context, issue, after string, now time.Time, limit int) ([]Delivery, error)
	// NextDue returns when the earliest pending row of issue is due.
	NextDue(ctx context.Context, issue string) (time.Time, bool, error)
	// Apply makes the changes in one durable commit and reports, per
	// change, whether it applied.
	Apply(ctx context.Context, issue string, changes []Change, now time.Time) ([]bool, error)
}

// Sends is the ledger of every issue as a whole: starting and finishing an
// issue's delivery, adding its recipients, and the rows a run left behind.
type Sends interface {
	Ledger
	// LockSend keeps other processes from sending until release.
	LockSend() (release func(), err error)
	StartSend(ctx context.Context, issue string, reopen bool, now time.Time) (SendRecord, error)
	// Send returns the record of issue, or an error wrapping ErrNotFound.
	Send(ctx context.Context, issue string) (SendRecord, error)
	FinishSend(ctx context.Context, issue string, now time.Time) (bool, error)
	// Unfinished lists the issues whose delivery began and did not finish.
	Unfinished(ctx context.Context) ([]string, error)
	// AddRecipients adds pending rows for rs (run marks them as seen by
	// this run); rows that exist are left as they are.
	AddRecipients(ctx context.Context, issue string, run int64, rs []Recipient, now time.Time) (int, error)
	// SkipUnlisted skips the pending rows of issue not seen by run.
	SkipUnlisted(ctx context.Context, issue string, run int64, now time.Time) (int, error)
	// RecoverSending makes the rows left sending by a dead run unknown.
	RecoverSending(ctx context.Context, now time.Time) (int, error)
	// RequeueUnknown makes the unknown rows of issue pending again.
	RequeueUnknown(ctx context.Context, issue string, now time.Time) (int, error)
	// Delivery returns one row, or an error wrapping ErrNotFound.
	Delivery(ctx context.Context, issue, email string) (Delivery, error)
	// Deliveries calls fn with every row of issue in state.
	Deliveries(ctx context.Context, issue, state string, fn func(Delivery) error) error
	DeliveryCounts(ctx context.Context, issue string) (map[string]int, error)
}

// Suppressions are the addresses never to be mailed again.
type Suppressions interface {
	// Suppress records email; suppressing twice keeps the first record.
	Suppress(ctx context.Context, email, reason string, now time.Time) error
	Unsuppress(ctx context.Context, email string) error
	IsSuppressed(ctx context.Context, email string) (bool, error)
	// Suppressions lists every suppression, oldest first.
	Suppressions(ctx context.Context) ([]Suppression, error)
}

// Bounces counts the soft bounces the bounce mailbox reported per address.
type Bounces interface {
	// AddSoftBounce records the report key (the bounce message's id) of a
	// soft bounce for email and returns how many reports email has now.
	// A key recorded before adds nothing, so a report read twice counts
	// once.
	AddSoftBounce(ctx context.Context, email, key string, now time.Time) (int, error)
	// SoftBounces returns how many soft bounces email has.
	SoftBounces(ctx context.Context, email string) (int, error)
}

// Errors of confirming a subscription: the link was used already (or its
// confirmation is gone), or the address was suppressed after the link was
// mailed, which a confirmation never lifts.
var (
	ErrNoConfirmation  = errors.New("no pending confirmation: the link was used already, or is too old")
	ErrSuppressedSince = errors.New("the address left or bounced after this link was mailed")
)

// SiteSubscriber is a reader the site knows: confirmed on the form, or
// imported by the owner. Preferences are the reader's own.
type SiteSubscriber struct {
	Email      string    `json:"email"`
	Name       string    `json:"name"`
	Tags       []string  `json:"tags"` // empty means every tag
	Paused     bool      `json:"paused"`
	Confirmed  time.Time `json:"confirmed"`
	Source     string    `json:"source"`               // "site", or the export it was imported from
	Suppressed string    `json:"suppressed,omitempty"` // the reason, when suppressed
}

// SiteSubscribers are the readers who subscribed on the site (double
// opt-in) or were imported, and the confirmations still pending.
type SiteSubscribers interface {
	// RequestConfirmation records that email asked to subscribe at now,
	// with the tags chosen on the form, and reports whether a
	// confirmation mail may be sent to it under lim.
	RequestConfirmation(ctx context.Context, email, name string, tags []string, now time.Time, lim ConfirmLimit) (send bool, err error)
	// Confirm makes email a subscriber with the tags it asked for. It uses
	// up the pending confirmation (ErrNoConfirmation when there is none),
	// and refuses with ErrSuppressedSince when the address was suppressed
	// after its latest confirmation link was mailed; an older suppression
	// is lifted (a reader who left and asked to come back).
	Confirm(ctx context.Context, email string, now time.Time) (added bool, err error)
	// AddSubscriber adds or updates sub (an import), keeping any
	// suppression of it: it reports whether the address is new.
	AddSubscriber(ctx context.Context, sub SiteSubscriber, now time.Time) (added bool, err error)
	// SiteSubscriber returns one subscriber, or an error wrapping ErrNotFound.
	SiteSubscriber(ctx context.Context, email string) (SiteSubscriber, error)
	// SetPreferences changes a subscriber's tags and pause, or returns an
	// error wrapping ErrNotFound.
	SetPreferences(ctx context.Context, email string, tags []string, paused bool) error
	// ListSubscribers yields every subscriber, suppressed and paused ones
	// too, in address order.
	ListSubscribers(ctx context.Context) iter.Seq2[SiteSubscriber, error]
	// Erase forgets email and everything tied to it (subscription,
	// confirmation, deliveries, suppression), keeping only a hash of it
	// that IsSuppressed still finds: a removed reader is never mailed
	// again. It reports whether anything was known of it.
	Erase(ctx context.Context, email string, now time.Time) (bool, error)
	// Subscribers yields the subscribers to mail: confirmed, not paused,
	// not suppressed.
	Subscribers(ctx context.Context) iter.Seq2[Subscriber, error]
	IsSubscriber(ctx context.Context, email string) (bool, error)
	SubscriberCounts(ctx context.Context) (confirmed, pending int, err error)
}

// ErasedHash is the hash an erased address is remembered by.
func ErasedHash(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:])
}

// Runs are the handled weekly runs of `digest serve`.
type Runs interface {
	// RecordRun records that the scheduled run r.At was handled.
	RecordRun(ctx context.Context, r Run) error
	// LastRun returns the latest handled run, or an error wrapping ErrNotFound.
	LastRun(ctx context.Context) (Run, error)
}

// Lease is a named lock held by one process until released or run out.
type Lease interface {
	// Renew extends the lease, or returns an error wrapping ErrLeaseLost.
	Renew(ctx context.Context, now time.Time) error
	Release(ctx context.Context) error
	// TTL is how long the lease lasts unless renewed.
	TTL() time.Duration
}

// Leases hands out leases.
type Leases interface {
	// Acquire takes the lease name for owner until now+ttl, if it is free,
	// has run out, or is owner's already; otherwise an error wrapping
	// ErrLeaseHeld names the holder.
	Acquire(ctx context.Context, name, owner string, ttl time.Duration, now time.Time) (Lease, error)
}

// FileRecord is what the state remembers of one file of the vault between
// builds: when it was first seen (so that a clipping synced in late is still
// new), and enough to skip reading it again while it is unchanged.
type FileRecord struct {
	Path      string
	Size      int64
	ModTime   time.Time
	FirstSeen time.Time
	Tag       string    // the configured tag it matched when last read, "" for none
	Clipped   time.Time // when the matching clipping was clipped (zero when Tag is "")
	Sig       string    // the tags configuration Tag was computed under
	Note      bool      // it is an editor's note (digest: in its frontmatter)
}

// Unchanged reports whether the file still has the size and time recorded.
func (r FileRecord) Unchanged(size int64, mod time.Time) bool {
	return r.Size == size && r.ModTime.Equal(mod)
}

// Same reports whether r and o record the same thing.
func (r FileRecord) Same(o FileRecord) bool {
	return r.Path == o.Path && r.Size == o.Size && r.Tag == o.Tag && r.Sig == o.Sig && r.Note == o.Note &&
		r.ModTime.Equal(o.ModTime) && r.FirstSeen.Equal(o.FirstSeen) && r.Clipped.Equal(o.Clipped)
}

// Files are the records of the vault's files.
type Files interface {
	// Files returns every record, keyed by path.
	Files(ctx context.Context) (map[string]FileRecord, error)
	// SaveFiles stores the changed records and forgets the gone paths.
	SaveFiles(ctx context.Context, changed []FileRecord, gone []string) error
}

// Settings are small named values the program keeps, such as the
// fingerprint of the secret links were signed with.
type Settings interface {
	// Setting returns the value of name, or an error wrapping ErrNotFound.
	Setting(ctx context.Context, name string) (string, error)
	SetSetting(ctx context.Context, name, value string) error
}

// State is everything a newsletter keeps.
type State interface {
	Issues
	Sends
	Suppressions
	Bounces
	SiteSubscribers
	Runs
	Leases
	Settings
	Files
	// Ping checks that the state can be reached.
	Ping(ctx context.Context) error
	Close() error
}
