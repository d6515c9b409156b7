"""The outside tools the standards checks run (Chromium, Java for the Nu HTML
Checker, the npm packages of package.json, Dovecot for the bounce mailbox,
SpamAssassin for the emails' spam score): where they are, and what a test
does when one is missing. On a developer's machine it is skipped, saying how to
install the tool; in CI (environment variable CI set) it fails, since a check
that silently stops running is worse than none.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NODE_MODULES = REPO / "node_modules"
NPM_HINT = "run `make test` (it runs `npm ci --ignore-scripts`; needs npm: sudo apt-get install nodejs npm)"


def missing(what: str, how: str):
    """Skip (on a developer's machine) or fail (in CI) for a missing tool."""
    message = f"{what} is not installed: {how}"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI must have every tool)", pytrace=False)
    pytest.skip(message)


def program(name: str, what: str, how: str, folder: str = "/usr/bin") -> str:
    """The path of the installed program ``name``: on PATH, or in ``folder``
    (root's PATH may lack /usr/sbin); else skip or fail, saying ``how`` to install ``what``."""
    path = shutil.which(name) or (str(Path(folder, name)) if Path(folder, name).exists() else None)
    if path is None:
        missing(what, how)
    return path


def chromium() -> str:
    path = program("chromium", "Chromium", "sudo apt-get install chromium")
    if importlib.util.find_spec("playwright") is None:
        missing("The playwright Python package", "run `make setup` (pip install -e '.[test]')")
    return path


def java() -> str:
    return program("java", "Java (for the Nu HTML Checker)", "sudo apt-get install default-jre-headless")


def npm_file(relative: str) -> Path:
    """A file of an npm package in node_modules/, e.g. ``axe-core/axe.min.js``."""
    path = NODE_MODULES / relative
    if not path.is_file():
        missing(f"node_modules/{relative}", NPM_HINT)
    return path


def axe_script() -> Path:
    return npm_file("axe-core/axe.min.js")


def vnu_jar() -> Path:
    return npm_file("vnu-jar/build/dist/vnu.jar")


def caniemail_data() -> Path:
    return npm_file("caniemail/data/caniemail.json")


def dovecot() -> str:
    """Debian's Dovecot IMAP server, for the bounce mailbox tests."""
    return program("dovecot", "Dovecot (an IMAP server)", "sudo apt-get update && sudo apt-get install dovecot-imapd",
                   folder="/usr/sbin")


def spamassassin() -> str:
    """Debian's SpamAssassin, run offline (-L) on the sample's emails."""
    return program("spamassassin", "SpamAssassin", "sudo apt-get update && sudo apt-get install spamassassin")
