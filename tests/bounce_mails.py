"""Bounce mails as real servers write them, for the bounce tests and
benchmarks/bounces.py: Postfix and Gmail-style RFC 3464 DSNs, Exim's plain
"Mail delivery failed" (no DSN), a delayed-delivery warning, a vacation
reply, and mail that has nothing to do with Sotong. Each is addressed, as a
bounce is, to the envelope sender of the message it answers."""

from __future__ import annotations

ORIGINAL_HEADERS = (
    "From: =?utf-8?b?7ISx64+Z6rWs7LKtIO2ZjeuztOuLtOuLueq0gA==?= <sotong@sd.go.kr>\r\n"
    "To: {recipient}\r\n"
    "Subject: =?utf-8?b?W+yEseuPmeq1rCDshozthrVdIDEx7JuUIDI27J28IOyGjOyLnQ==?=\r\n"
    "Date: Thu, 26 Nov 2026 09:00:00 +0900\r\n"
    "Message-ID: <2026-11-26.0123456789abcdef01234567@sd.go.kr>\r\n"
    "MIME-Version: 1.0\r\n"
)


def postfix_dsn(return_path: str, recipient: str, *, status="5.1.1", action="failed",
                diagnostic="smtp; 550 5.1.1 <{recipient}>: Recipient address rejected: User unknown in virtual mailbox table",
                serial=1, date="Fri, 27 Nov 2026 03:12:44 +0900") -> bytes:
    """Postfix's bounce(8) DSN: multipart/report with a human part, the
    delivery-status and the original headers."""
    boundary = f"8C1A21C0A{serial:05d}.1764180764/mail.sd.go.kr"
    diagnostic = diagnostic.format(recipient=recipient)
    subject = "Undelivered Mail Returned to Sender" if action == "failed" else "Delayed Mail (still being retried)"
    return (
        f"Return-Path: <>\r\n"
        f"Delivered-To: {return_path}\r\n"
        f"Received: by mail.sd.go.kr (Postfix) id 4ZxQpT1{serial:05d}; {date}\r\n"
        f"Date: {date}\r\n"
        f"From: MAILER-DAEMON@mail.sd.go.kr (Mail Delivery System)\r\n"
        f"Subject: {subject}\r\n"
        f"To: {return_path}\r\n"
        f"Auto-Submitted: auto-replied\r\n"
        f"MIME-Version: 1.0\r\n"
        f"Content-Type: multipart/report; report-type=delivery-status;\r\n"
        f"\tboundary=\"{boundary}\"\r\n"
        f"Content-Transfer-Encoding: 8bit\r\n"
        f"Message-Id: <20261126181244.4ZxQpT1{serial:05d}@mail.sd.go.kr>\r\n"
        f"\r\n"
        f"This is a MIME-encapsulated message.\r\n\r\n"
        f"--{boundary}\r\n"
        f"Content-Description: Notification\r\n"
        f"Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        f"This is the mail system at host mail.sd.go.kr.\r\n\r\n"
        f"I'm sorry to have to inform you that your message could not\r\n"
        f"be delivered to one or more recipients. It's attached below.\r\n\r\n"
        f"<{recipient}>: host mx.example.net[203.0.113.5] said: {diagnostic.partition('; ')[2]}\r\n\r\n"
        f"--{boundary}\r\n"
        f"Content-Description: Delivery report\r\n"
        f"Content-Type: message/delivery-status\r\n\r\n"
        f"Reporting-MTA: dns; mail.sd.go.kr\r\n"
        f"X-Postfix-Queue-ID: 4ZxQpT1{serial:05d}\r\n"
        f"X-Postfix-Sender: rfc822; {return_path}\r\n"
        f"Arrival-Date: Thu, 26 Nov 2026 09:00:02 +0900 (KST)\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        f"Original-Recipient: rfc822;{recipient}\r\n"
        f"Action: {action}\r\n"
        f"Status: {status}\r\n"
        f"Remote-MTA: dns; mx.example.net\r\n"
        f"Diagnostic-Code: {diagnostic}\r\n\r\n"
        f"--{boundary}\r\n"
        f"Content-Description: Undelivered Message Headers\r\n"
        f"Content-Type: text/rfc822-headers\r\n\r\n"
        f"Return-Path: <{return_path}>\r\n"
        + ORIGINAL_HEADERS.format(recipient=recipient) +
        f"\r\n--{boundary}--\r\n"
    ).encode()


def global_dsn(return_path: str, recipient: str, serial=1) -> bytes:
    """Postfix's DSN of a message it sent with SMTPUTF8 (RFC 6533), as to
    홍길동@example.com: message/global-delivery-status, the recipient as a
    utf-8 address, the original headers as message/global-headers."""
    return (postfix_dsn(return_path, recipient, serial=serial)
            .replace(b"Content-Type: message/delivery-status", b"Content-Type: message/global-delivery-status")
            .replace(b"Content-Type: text/rfc822-headers", b"Content-Type: message/global-headers")
            .replace(f"rfc822; {recipient}".encode(), f"utf-8; {recipient}".encode())
            .replace(f"rfc822;{recipient}".encode(), f"utf-8;{recipient}".encode()))


def gmail_dsn(return_path: str, recipient: str, serial=1) -> bytes:
    """Gmail's "Delivery Status Notification (Failure)": multipart/report
    inside, text and HTML explanations, Auto-Submitted: auto-replied."""
    outer, alt = f"000000000000gm{serial:06d}", f"000000000000al{serial:06d}"
    return (
        f"Delivered-To: {return_path}\r\n"
        f"Return-Path: <>\r\n"
        f"From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\r\n"
        f"To: {return_path}\r\n"
        f"Auto-Submitted: auto-replied\r\n"
        f"Subject: Delivery Status Notification (Failure)\r\n"
        f"References: <2026-11-26.0123456789abcdef01234567@sd.go.kr>\r\n"
        f"In-Reply-To: <2026-11-26.0123456789abcdef01234567@sd.go.kr>\r\n"
        f"X-Failed-Recipients: {recipient}\r\n"
        f"Message-ID: <6746b0c2.{serial:06d}.gmail-dsn@mx.google.com>\r\n"
        f"Date: Thu, 26 Nov 2026 16:02:10 -0800 (PST)\r\n"
        f"MIME-Version: 1.0\r\n"
        f"Content-Type: multipart/report; boundary=\"{outer}\"; report-type=delivery-status\r\n\r\n"
        f"--{outer}\r\n"
        f"Content-Type: multipart/related; boundary=\"{alt}\"\r\n\r\n"
        f"--{alt}\r\n"
        f"Content-Type: text/plain; charset=\"UTF-8\"\r\n\r\n"
        f"** Address not found **\r\n\r\n"
        f"Your message wasn't delivered to {recipient} because the address couldn't be found, "
        f"or is unable to receive mail.\r\n\r\n"
        f"The response from the remote server was:\r\n"
        f"550 5.1.1 The email account that you tried to reach does not exist.\r\n\r\n"
        f"--{alt}--\r\n"
        f"--{outer}\r\n"
        f"Content-Type: message/delivery-status\r\n\r\n"
        f"Reporting-MTA: dns; googlemail.com\r\n"
        f"Received-From-MTA: dns; sotong@sd.go.kr\r\n"
        f"Arrival-Date: Thu, 26 Nov 2026 16:02:09 -0800 (PST)\r\n"
        f"X-Original-Message-ID: <2026-11-26.0123456789abcdef01234567@sd.go.kr>\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        f"Action: failed\r\n"
        f"Status: 5.1.1\r\n"
        f"Remote-MTA: dns; gmail-smtp-in.l.google.com. (2607:f8b0:4004:c1b::1b, the server for the domain gmail.com.)\r\n"
        f"Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist. "
        f"Please try\r\n 550-5.1.1 double-checking the recipient's email address for typos or\r\n"
        f" 550 5.1.1 https://support.google.com/mail/?p=NoSuchUser a1si{serial}.123 - gsmtp\r\n"
        f"Last-Attempt-Date: Thu, 26 Nov 2026 16:02:10 -0800 (PST)\r\n\r\n"
        f"--{outer}\r\n"
        f"Content-Type: message/rfc822\r\n\r\n"
        f"Return-Path: <{return_path}>\r\n"
        + ORIGINAL_HEADERS.format(recipient=recipient) +
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n(본문)\r\n"
        f"--{outer}--\r\n"
    ).encode()


def exim_bounce(return_path: str, recipient: str, serial=1) -> bytes:
    """Exim's default bounce: plain text, no DSN, X-Failed-Recipients."""
    return (
        f"Envelope-to: {return_path}\r\n"
        f"Delivery-date: Fri, 27 Nov 2026 10:15:02 +0900\r\n"
        f"Return-path: <>\r\n"
        f"X-Failed-Recipients: {recipient}\r\n"
        f"Auto-Submitted: auto-replied\r\n"
        f"From: Mail Delivery System <Mailer-Daemon@relay.example.org>\r\n"
        f"To: {return_path}\r\n"
        f"Content-Type: text/plain; charset=us-ascii\r\n"
        f"Subject: Mail delivery failed: returning message to sender\r\n"
        f"Message-Id: <E1tGx{serial:06d}-000Abc-2x@relay.example.org>\r\n"
        f"Date: Fri, 27 Nov 2026 10:15:02 +0900\r\n\r\n"
        f"This message was created automatically by mail delivery software.\r\n\r\n"
        f"A message that you sent could not be delivered to one or more of its\r\n"
        f"recipients. This is a permanent error. The following address(es) failed:\r\n\r\n"
        f"  {recipient}\r\n"
        f"    mailbox is full / unknown user: retry timeout exceeded\r\n\r\n"
        f"------ This is a copy of the message, including all the headers. ------\r\n\r\n"
        f"Return-path: <{return_path}>\r\n"
        + ORIGINAL_HEADERS.format(recipient=recipient) +
        "\r\n(본문)\r\n"
    ).encode()


def vacation_reply(return_path: str, recipient: str) -> bytes:
    """A vacation auto-reply (RFC 3834), sent to the envelope sender."""
    return (
        f"Delivered-To: {return_path}\r\n"
        f"Return-Path: <>\r\n"
        f"From: {recipient}\r\n"
        f"To: {return_path}\r\n"
        f"Subject: =?utf-8?b?67aA7J6s7KSROiBbUmVdIOyEseuPmeq1rCDshozsi50=?=\r\n"
        f"Auto-Submitted: auto-replied (vacation)\r\n"
        f"Precedence: bulk\r\n"
        f"Message-ID: <vacation.{abs(hash(recipient))}@example.net>\r\n"
        f"Date: Fri, 27 Nov 2026 08:00:00 +0900\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "12월 5일까지 휴가 중입니다. I am away until 5 December and will answer when I return.\r\n"
    ).encode()


def unrelated_mail(to: str = "bounces@sd.go.kr") -> bytes:
    """A person's mail to the bounce address: nothing of Sotong's."""
    return (
        f"From: 김주민 <resident@example.net>\r\n"
        f"To: {to}\r\n"
        f"Subject: =?utf-8?b?66y47J2Y65Oc66a964uI64uk?=\r\n"
        f"Message-ID: <question.1@example.net>\r\n"
        f"Date: Fri, 27 Nov 2026 11:00:00 +0900\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "소식지 수신 주소를 바꾸고 싶습니다.\r\n"
    ).encode()


def legacy_korean_reply(return_path: str, recipient: str) -> bytes:
    """A person's answer from an old Korean mail program that writes its
    headers in raw EUC-KR (no RFC 2047), sent to the return path: no bounce."""
    return (
        f"Delivered-To: {return_path}\r\n".encode()
        + "From: 김민서 <{recipient}>\r\n".format(recipient=recipient).encode("euc-kr")
        + f"To: {return_path}\r\n".encode()
        + "Subject: 답장: 성동구 소식\r\n".encode("euc-kr")
        + b"Message-ID: <legacy.20261127@example.co.kr>\r\nDate: Fri, 27 Nov 2026 11:00:00 +0900\r\n"
        + b"Content-Type: text/plain; charset=euc-kr\r\n\r\n" + "잘 받았습니다.\r\n".encode("euc-kr")
    )


def eight_bit_auto_submitted(return_path: str, recipient: str) -> bytes:
    """A mail sent to the return path with a raw 8-bit byte in Auto-Submitted
    (a broken mailer, or a reader who knows their own return path): no bounce."""
    return vacation_reply(return_path, recipient).replace(b"Auto-Submitted: auto-replied (vacation)",
                                                          b"Auto-Submitted: \xff").replace(b"vacation.", b"eightbit.")


def nested_parts(return_path: str, recipient: str, depth: int = 2000) -> bytes:
    """A mail to the return path whose parts nest ``depth`` deep (one
    multipart in another): what no mail server writes, and any reader who
    knows their own return path can send."""
    text = "Content-Type: text/plain\r\n\r\n보낸 편지함의 편지입니다\r\n"
    for level in reversed(range(depth)):
        text = f'Content-Type: multipart/mixed; boundary="n{level}"\r\n\r\n--n{level}\r\n{text}\r\n--n{level}--\r\n'
    return (f"Delivered-To: {return_path}\r\nFrom: <{recipient}>\r\nTo: {return_path}\r\nSubject: nested\r\n"
            f"Message-ID: <nested.20261127@example.com>\r\nMIME-Version: 1.0\r\n{text}").encode()


def korean_base64_dsn(return_path: str, recipient: str, serial=1) -> bytes:
    """A Korean mail server's DSN (as Daum's or a government server's): the
    human part in EUC-KR and, against RFC 3464 but as such servers send it,
    the delivery-status part base64-encoded too."""
    import base64
    import re

    data = postfix_dsn(return_path, recipient, serial=serial,
                       diagnostic="smtp; 550 5.1.1 <{recipient}>: 존재하지 않는 사용자입니다").decode()
    parts = re.split(r"(Content-Type: [^\r]+\r\n\r\n)", data)
    encoded = []
    for head, body in zip(parts[1::2], parts[2::2]):
        text, boundary, rest = body.partition("\r\n--")
        if "text/plain" in head or "delivery-status" in head:
            charset = "euc-kr" if "text/plain" in head else "utf-8"
            head = head.replace("us-ascii", "euc-kr").replace("\r\n\r\n", "\r\nContent-Transfer-Encoding: base64\r\n\r\n")
            text = base64.encodebytes((text + ("\r\n메일을 보낼 수 없습니다." if charset == "euc-kr" else "")).encode(charset)).decode()
        encoded.append(head + text + boundary + rest)
    return (parts[0] + "".join(encoded)).encode("utf-8")
