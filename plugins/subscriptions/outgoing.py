"""What the plugin sends: confirmation and preference-link mails through the
office's SMTP server (``SMTP_*`` settings), and 6-digit codes through an SMS
transport.

Mails go from a queue in a background thread, so a request never waits for
the mail server, and an answer takes the same time whether or not a mail was
sent (``POST /p/link`` tells nobody whether an address is known).

An SMS transport is anything with ``send(phone, text)``. The one shipped,
:class:`FileSmsTransport`, appends to a CSV under private/ that the operator
hands to the SMS agency, as ``sms.csv`` is today; an agency's HTTP API fits
the same one method.
"""

from __future__ import annotations

from sotong import spreadsheet
import logging
import os
import queue
import smtplib
import threading
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from sotong.store import now_iso

log = logging.getLogger("sotong.subscriptions")


class Mailer:
    """Sends :class:`EmailMessage` s one after another from a queue."""

    def __init__(self, settings: dict):
        self.settings = settings
        self.outgoing: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def compose(self, to: str, subject: str, text: str) -> EmailMessage:
        message = EmailMessage()
        mail_from = self.settings.get("MAIL_FROM") or "sotong@sd.go.kr"
        message["From"] = mail_from
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain=parseaddr(mail_from)[1].rpartition("@")[2] or "sd.go.kr")
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(text)
        return message

    def send_later(self, message: EmailMessage) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sotong-subscriptions-mail", daemon=True)
                self._thread.start()
        self.outgoing.put(message)

    def _run(self) -> None:
        while True:
            batch = [self.outgoing.get()]
            while not self.outgoing.empty() and len(batch) < 100:
                batch.append(self.outgoing.get())
            try:
                self.send_now(batch)
            except (OSError, smtplib.SMTPException) as exc:  # never the address: the log is not private
                log.warning("%d confirmation mails could not be handed to %s:%s: %s", len(batch),
                            self.settings.get("SMTP_HOST"), self.settings.get("SMTP_PORT"), type(exc).__name__)
            finally:
                for _ in batch:
                    self.outgoing.task_done()

    def send_now(self, messages: list[EmailMessage]) -> None:
        """Hand ``messages`` to the SMTP server over one connection."""
        settings = self.settings
        with smtplib.SMTP(settings.get("SMTP_HOST", "127.0.0.1"), int(settings.get("SMTP_PORT", 25)), timeout=30) as smtp:
            if settings.get("SMTP_STARTTLS"):
                smtp.starttls()
            if settings.get("SMTP_USER"):
                smtp.login(settings["SMTP_USER"], os.environ.get("SOTONG_SMTP_PASSWORD", ""))
            for message in messages:
                smtp.send_message(message)


class FileSmsTransport:
    """Appends each text as a row ``time, phone, text`` to a CSV (private/)
    that the operator hands to the SMS agency."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def send(self, phone: str, text: str) -> None:
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            new = not self.path.exists()
            with self.path.open("a", encoding="utf-8", newline="") as out:
                writer = spreadsheet.writer(out)
                if new:
                    writer.writerow(["time", "phone", "text"])
                writer.writerow([now_iso(), phone, text])
