// Package bouncetest writes the kinds of mail that come back to a return
// path, as real servers write them, for the tests of bounce handling.
package bouncetest

import (
	"fmt"
	"strings"

	"github.com/digest-newsletter/digest/digest"
)

// crlf turns the LF line ends of a literal into CRLF, as mail has them.
func crlf(s string) []byte {
	return []byte(strings.ReplaceAll(strings.TrimLeft(s, "\n"), "\n", "\r\n"))
}

// DSN is a delivery status notification (RFC 3464) for rcpt, as Postfix
// writes one, delivered to the VERP address of rcpt under returnPath.
// action is failed or delayed; status such as 5.1.1 or 4.2.2.
func DSN(returnPath, rcpt, action, status, id string) []byte {
	verp := digest.VERP(returnPath, rcpt)
	return crlf(fmt.Sprintf(`
Return-Path: <>
Delivered-To: %[1]s
From: MAILER-DAEMON@mx.example.org (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: %[1]s
Message-ID: <%[5]s@mx.example.org>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="B1"

This is a MIME-encapsulated message.

--B1
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<%[2]s>: host mx.example.org said: %[4]s mailbox problem

--B1
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org
X-Postfix-Queue-ID: 4F2D1
Arrival-Date: Mon, 30 Nov 2026 08:00:00 +0000

Final-Recipient: rfc822; %[2]s
Original-Recipient: rfc822;%[2]s
Action: %[3]s
Status: %[4]s
Remote-MTA: dns; mx.example.org
Diagnostic-Code: smtp; 550 %[4]s <%[2]s>: Recipient address
    rejected: mailbox problem

--B1
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

Return-Path: <%[1]s>
From: Digest <digest@news.example.net>
To: %[2]s
Subject: Weekly #1

--B1--
`, verp, rcpt, action, status, id))
}

// ARF is a spam complaint in the Abuse Reporting Format (RFC 5965) about
// the copy mailed to rcpt, as a feedback loop sends it: to the address the
// list registered (returnPath itself, not its VERP form), with the
// original's headers, whose List-Unsubscribe carries unsubscribeURL.
func ARF(returnPath, rcpt, unsubscribeURL, id string) []byte {
	return crlf(fmt.Sprintf(`
From: feedback@fbl.example.org
To: %[1]s
Subject: FW: Weekly #1
Message-ID: <%[4]s@fbl.example.org>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report;
	boundary="part1"

--part1
Content-Type: text/plain; charset="US-ASCII"

This is an email abuse report for an email message
received from IP 192.0.2.1.

--part1
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: SomeGenerator/1.0
Version: 1
Original-Mail-From: <%[5]s>
Arrival-Date: Mon, 30 Nov 2026 08:00:00 +0000
Source-IP: 192.0.2.1
Reported-Domain: news.example.net

--part1
Content-Type: text/rfc822-headers

Return-Path: <%[5]s>
From: Digest <digest@news.example.net>
To: %[2]s
Subject: Weekly #1
List-Unsubscribe: <%[3]s>,
 <mailto:%[1]s?subject=unsubscribe>

--part1--
`, returnPath, "redacted@example.org", unsubscribeURL, id, digest.VERP(returnPath, rcpt)))
}

// Unsubscribe is the mail a reader's client sends for the mailto: of
// List-Unsubscribe: to returnPath, subject "unsubscribe TOKEN".
func Unsubscribe(returnPath, from, token, id string) []byte {
	return crlf(fmt.Sprintf(`
From: %s
To: %s
Subject: unsubscribe %s
Message-ID: <%s@mail.example.org>
Content-Type: text/plain; charset=utf-8

`, from, returnPath, token, id))
}

// Reply is a reader's reply that landed in the bounce mailbox: none of the
// kinds, though it quotes the unsubscribe link.
func Reply(to, from, unsubscribeURL, id string) []byte {
	return crlf(fmt.Sprintf(`
From: %s
To: %s
Subject: Re: Weekly #1
Message-ID: <%s@mail.example.org>
Content-Type: text/plain; charset=utf-8

Thanks, great issue! (Not an unsubscribe: %s)
`, from, to, id, unsubscribeURL))
}
