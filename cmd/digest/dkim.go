package main

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/digest-newsletter/digest/digest/email"
)

func init() {
	commands["dkim"] = &command{
		summary: "print the DNS TXT records to publish: each DKIM key, and a starting point for SPF and DMARC",
		run: func(ctx context.Context, a *app) error {
			if a.cfg.DKIM == nil {
				return errors.New("dkim: not configured: make a key with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out dkim.pem` " +
					"(and optionally `openssl genpkey -algorithm ed25519 -out dkim-ed25519.pem`), " +
					"then set dkim: {domain: …, selector: …, key_file: dkim.pem, ed25519: {selector: …, key_file: dkim-ed25519.pem}}")
			}
			s, err := email.LoadDKIM(a.cfg.DKIM)
			if err != nil {
				return err
			}
			from, err := mail.ParseAddress(a.cfg.From)
			if err != nil {
				return fmt.Errorf("from: %q: %v", a.cfg.From, err)
			}
			domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
			for i, r := range email.DNSRecords(s, domain) {
				if i > 0 {
					fmt.Fprintln(a.stdout)
				}
				fmt.Fprint(a.stdout, r.Zone())
			}
			return nil
		},
	}
}
