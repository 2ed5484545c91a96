package weekly

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/digest-newsletter/digest/digest"
)

// secretSetting is where the state keeps the fingerprint of the secret that
// signed the links already mailed.
const secretSetting = "secret_fingerprint"

// Fingerprint names a secret without revealing it.
func Fingerprint(secret []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("digest secret fingerprint"))
	return hex.EncodeToString(m.Sum(nil)[:8])
}

// CheckSecret makes sure that the secret is the one every link already
// mailed was signed with, since a new one would break every unsubscribe
// link in every inbox. A secret listed in PreviousSecrets (the old one,
// kept to verify old links) makes the change a rotation. With record, a first or
// rotated secret's fingerprint is kept for next time.
func (n *Newsletter) CheckSecret(ctx context.Context, record bool) error {
	env := n.Config.SecretEnv
	now := Fingerprint(n.Secret)
	kept, err := n.State.Setting(ctx, secretSetting)
	switch {
	case errors.Is(err, digest.ErrNotFound):
		if !record {
			return nil
		}
		return n.State.SetSetting(ctx, secretSetting, now)
	case err != nil:
		return err
	case kept == now:
		return nil
	}
	for _, p := range n.PreviousSecrets {
		if Fingerprint(p) == kept {
			if record {
				n.logf("%s changed: links mailed before keep working while %s_PREVIOUS lists the old secret", env, env)
				return n.State.SetSetting(ctx, secretSetting, now)
			}
			return nil
		}
	}
	return fmt.Errorf("%s is not the secret the links already mailed were signed with (fingerprint %s, not %s): "+
		"with it every unsubscribe link in your readers' inboxes would stop working. "+
		"Set %s back to the secret you used before; to rotate it, keep the old one in %s_PREVIOUS (space-separated)",
		env, kept, now, env, env)
}

// checkRealSend refuses to mail real people over SMTP with settings that
// would make the mail broken or misleading; the outbox is exempt.
func (n *Newsletter) checkRealSend() error {
	if n.outbox() {
		return nil
	}
	return n.Config.CheckRealSend()
}

// Secrets reads the token secret from the environment variable the
// configuration names, and the previous ones a rotation keeps verifying
// from <name>_PREVIOUS (space-separated).
func Secrets(cfg *digest.Config, getenv func(string) string) (secret []byte, previous [][]byte, err error) {
	name := cfg.SecretEnv
	secret = []byte(getenv(name))
	if err := digest.CheckSecret(secret); err != nil {
		return nil, nil, fmt.Errorf("%s: %w: it signs the unsubscribe links; generate it once, e.g. openssl rand -hex 32, and keep it (see README)", name, err)
	}
	for _, s := range strings.Fields(getenv(name + "_PREVIOUS")) {
		previous = append(previous, []byte(s))
	}
	return secret, previous, nil
}
