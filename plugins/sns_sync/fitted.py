"""X posts as :func:`.weighted.fit_post` fitted them, kept between builds in
Pelican's cache folder (``CACHE_PATH/sns-fitted-posts.json``) while the
content cache is on (CACHE_CONTENT; read when LOAD_CONTENT_CACHE), so that
a rebuild whose X posts are unchanged neither imports twitter-text (half a
second: it builds its emoji expression) nor weighs them again.

A post is a pure function of its text, its URL, twitter-text's version and
the fitting code (weighted.py), whose version and digest are part of the
file: posts of another version or another weighted.py are fitted again. The
file holds the posts of the last build only and is written whole, through a
temporary file, when they changed; one that cannot be read is ignored.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
from pathlib import Path

from sotong.atomic import replacing

FILE_NAME = "sns-fitted-posts.json"
FITTING_CODE = Path(__file__).with_name("weighted.py")  # read, not imported: importing is what the file saves
log = logging.getLogger(__name__)


def _counting_version() -> str:
    """twitter-text's version and the fitting code's own digest: a post fitted
    by an earlier weighted.py (before an upgrade of Sotong) is fitted again."""
    code = hashlib.sha256(FITTING_CODE.read_bytes()).hexdigest()[:16]
    return f'{importlib.metadata.version("twitter-text-parser")} {code}'


class FittedPosts:
    """``fit(text, url)``: the post, from last build's file when it holds it."""

    def __init__(self, settings: dict):
        self.enabled = bool(settings.get("CACHE_CONTENT"))
        self.file = Path(settings["CACHE_PATH"]) / FILE_NAME
        self.version = _counting_version() if self.enabled else None
        self.known: dict[tuple[str, str], str] = {}
        if self.enabled and settings.get("LOAD_CONTENT_CACHE"):
            self.known = self._read()
        self.used: dict[tuple[str, str], str] = {}

    def _read(self) -> dict:
        try:
            stored = json.loads(self.file.read_bytes())
            if stored["version"] != self.version:
                return {}
            return {(text, url): post for text, url, post in stored["posts"]}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.debug("%s: not read (%s: %s); the posts are fitted again", self.file, type(exc).__name__, exc)
            return {}

    def fit(self, text: str, url: str) -> str:
        post = self.known.get((text, url))
        if post is None:
            from .weighted import fit_post

            post = fit_post(text, url)
        self.used[text, url] = post
        return post

    def save(self) -> None:
        """Keep this build's posts, if they are not what the file holds."""
        if not self.enabled or self.used == self.known:
            return
        posts = [[text, url, post] for (text, url), post in self.used.items()]
        with replacing(self.file) as out:
            out.write(json.dumps({"version": self.version, "posts": posts}, ensure_ascii=False).encode())
