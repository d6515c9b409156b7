"""The sample project built once per test process, for the standards checks
(browser, validators, email clients): the site as in development, the next
issue's personalized emails bundled from sample/subscribers.csv, the site as
in production (publishconf.py, absolute SITEURL) for the feeds, and the
collector (``sotong serve``) on the sample's store.

Every step runs the real ``sotong`` command in a temporary copy of the
project; the copies are removed when the process ends.
"""

from __future__ import annotations

import atexit
import contextlib
import email
import email.policy
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from project_support import REPO, copy_project, run_sotong
from processes import stop_process

SECRET_ENV = {"SOTONG_SECRET": "sotong-standards-tests-secret-of-32-or-more"}


def _workdir(name: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=f"sotong-{name}-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _sotong(project: Path, *args: str) -> str:
    result = run_sotong(project, *args, env=SECRET_ENV)
    if result.code != 0:
        raise RuntimeError(f"sotong {' '.join(args)} failed in the sample project (exit {result.code}):\n{result.output}")
    return result.stdout


@dataclass(frozen=True)
class Site:
    project: Path
    output: Path  # resolved: output/ is a link to the slot the build wrote


def _build(name: str, *settings: str, before=None) -> Site:
    project = copy_project(_workdir(name))
    if before is not None:
        before(project)
    _sotong(project, "build", *settings)
    return Site(project, (project / "output").resolve())


GONE_CODE = "x4ky9"  # a code texted for a notice since made a draft: its page says the notice is gone


def _texted_draft(project: Path) -> None:
    """A ledger of texted codes (sotong.code_ledger) holding a code of the
    sample's draft notice, as though it had been texted before it was made
    a draft: the build writes the page that says it is no longer posted."""
    ledger = {GONE_CODE: {"slug": "2026-11-26-library-holiday-hours", "source": "notices/2026-11-26-library-holiday-hours.md",
                          "title": "연말연시 구립도서관 휴관 및 운영시간 변경 안내", "day": "2026-11-19"}}
    (project / "private").mkdir(exist_ok=True)
    (project / "private" / "texted-codes.json").write_text(json.dumps(ledger, ensure_ascii=False), encoding="utf-8")


@functools.cache
def dev_site() -> Site:
    """The sample built with pelicanconf.py (root-relative links: serve it at
    /), with a texted code of a draft notice (:data:`GONE_CODE`)."""
    return _build("dev", before=_texted_draft)


@functools.cache
def publish_site() -> Site:
    """The sample built with publishconf.py: absolute SITEURL, as deployed."""
    return _build("publish", "-s", "publishconf.py")


@dataclass(frozen=True)
class Email:
    subscriber: str
    notices: list[str]
    html: str
    unsubscribe_path: str  # /u/TOKEN, from the List-Unsubscribe header
    text: str = ""  # the text/plain part


@dataclass(frozen=True)
class Bundle:
    issue: str
    emails: list[Email]  # the fullest first

    @property
    def fullest(self) -> Email:
        return self.emails[0]


def read_email(eml: Path, subscriber: str, notices: list[str]) -> Email:
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    html = message.get_body(preferencelist=("html",)).get_content()
    https_link = message["List-Unsubscribe"].split(",")[0].strip().strip("<>")
    return Email(subscriber, notices, html, urlsplit(https_link).path,
                 message.get_body(preferencelist=("plain",)).get_content())


@functools.cache
def dev_bundle() -> Bundle:
    """The next issue's emails for the sample subscribers, fullest first."""
    project = dev_site().project
    _sotong(project, "subscribers", "import", str(REPO / "sample" / "subscribers.csv"))
    issue = _sotong(project, "newsletter", "next").strip()
    _sotong(project, "bundles", "--issue", issue)
    outbox = project / "private" / "outbox" / issue
    entries = [json.loads(line) for line in (outbox / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    entries = sorted((e for e in entries if e["channel"] == "email"),
                     key=lambda e: (-len(e["notices"]), e["banner"] is None, e["id"]))
    if not entries:
        raise RuntimeError(f"the sample's issue {issue} has no email to check")
    return Bundle(issue, [read_email(outbox / e["file"], e["id"], e["notices"]) for e in entries])


@contextlib.contextmanager
def collector(project: Path):
    """``sotong serve`` in ``project`` on 127.0.0.1 and a free port, as the
    operator runs it; yields its base URL once /healthz answers."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sotong", "serve", "--host", "127.0.0.1", "--port", "0", "--threads", "2"],
        cwd=project, env=dict(os.environ, **SECRET_ENV), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        said = []  # what it says first: warnings (mails a test before queued in this project, retried), then where
        while not (match := re.search(r"http://127\.0\.0\.1:(\d+)", said[-1] if said else "")):
            said.append(process.stderr.readline())
            if not said[-1] or len(said) > 20:
                raise RuntimeError(f"sotong serve did not say where it listens: {''.join(said)!r}")
        base = f"http://127.0.0.1:{match.group(1)}"
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("sotong serve did not answer GET /healthz within 20 s") from None
                time.sleep(0.1)
        yield base
    finally:
        stop_process(process)
