"""The personalized emails pass a receiving server's spam filter: Debian's
SpamAssassin, offline (``-L``: no network tests), scores the sample's emails
as ``sotong bundles`` wrote them. The rules that read the hidden preheader
as hidden spam text (HTML_FONT_LOW_CONTRAST: text in the background's
colour; FONT_INVIS_MSGID: a tiny font before a word) must not fire, and no
rule may add to the score.

Scored: the fullest email, the shortest, and one whose preheader starts with
an ASCII letter or digit (what FONT_INVIS matches), all in one run (loading
SpamAssassin's rules takes most of its time).
"""

from __future__ import annotations

import mailbox
import os
import re
import subprocess

import pytest

import tooling
from bundles.outbox import eml_name
from sample_site import dev_bundle, dev_site

HIDDEN_TEXT_RULES = ("HTML_FONT_LOW_CONTRAST", "FONT_INVIS")
_PREHEADER = re.compile(r'<div class="preheader"[^>]*>(.*?)</div>', re.S)


def _chosen_emails() -> dict[str, bytes]:
    """Subscriber id -> the .eml bytes of the emails to score."""
    bundle = dev_bundle()
    word_first = [e for e in bundle.emails if re.match(r"[A-Za-z0-9]", _PREHEADER.search(e.html).group(1))]
    assert word_first, "the sample should have an email whose preheader starts with a letter or digit"
    folder = dev_site().project / "private" / "outbox" / bundle.issue / "email"
    chosen = (bundle.fullest, bundle.emails[-1], word_first[0])
    return {e.subscriber: (folder / eml_name(e.subscriber)).read_bytes() for e in chosen}


@pytest.fixture(scope="module")
def spam_status(tmp_path_factory) -> dict[str, str]:
    """Subscriber id -> SpamAssassin's X-Spam-Status of their email."""
    program = tooling.spamassassin()
    folder = tmp_path_factory.mktemp("spamassassin")
    emails = _chosen_emails()
    box = mailbox.mbox(folder / "in.mbox")
    for raw in emails.values():
        box.add(mailbox.mboxMessage(raw))
    box.close()
    with open(folder / "in.mbox", "rb") as messages:
        result = subprocess.run([program, "-L", "--mbox", "-p", str(folder / "user_prefs")], stdin=messages,
                                capture_output=True, timeout=600, env=dict(os.environ, HOME=str(folder)))
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    (folder / "out.mbox").write_bytes(result.stdout)
    scored = list(mailbox.mbox(folder / "out.mbox"))
    assert len(scored) == len(emails)
    return {subscriber: " ".join(message["X-Spam-Status"].split()) for subscriber, message in zip(emails, scored)}


def _rules(status: str) -> list[str]:
    return re.search(r"tests=(\S*)", status).group(1).split(",")


def test_no_hidden_text_rule_fires_on_the_emails(spam_status):
    fired = {subscriber: [rule for rule in _rules(status) if rule.startswith(HIDDEN_TEXT_RULES)]
             for subscriber, status in spam_status.items()}
    assert not any(fired.values()), fired


def test_spamassassin_scores_the_emails_zero_or_less(spam_status):
    for subscriber, status in spam_status.items():
        score = float(re.search(r"score=(-?[\d.]+)", status).group(1))
        assert score <= 0.0, f"{subscriber}: {status}"
