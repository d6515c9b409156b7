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
from typing import Callable

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
    """``fit(text, url)``: the post, from last build's file when it holds it;
    ``remembered(key, work)``: any other value that weighted.py works out of
    a post's text (advice's measures of a cut post), kept alike in a file of
    its own (``file_name``). Keys are tuples of strings, values JSON's."""

    def __init__(self, settings: dict, file_name: str = FILE_NAME):
        self.enabled = bool(settings.get("CACHE_CONTENT"))
        self.file = Path(settings["CACHE_PATH"]) / file_name
        self.version = _counting_version() if self.enabled else None
        self.known: dict[tuple, object] = {}
        if self.enabled and settings.get("LOAD_CONTENT_CACHE"):
            self.known = self._read()
        self.used: dict[tuple, object] = {}

    def _read(self) -> dict:
        try:
            stored = json.loads(self.file.read_bytes())
            if stored["version"] != self.version:
                return {}
            return {tuple(key): value for *key, value in stored["posts"]}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.debug("%s: not read (%s: %s); the posts are fitted again", self.file, type(exc).__name__, exc)
            return {}

    def remembered(self, key: tuple, work: Callable[[], object]):
        """The value of ``key``: last build's, else ``work()``'s."""
        value = self.known.get(key)
        if value is None:
            value = work()
        self.used[key] = value
        return value

    def fit(self, text: str, url: str) -> str:
        def fitted() -> str:
            from .weighted import fit_post

            return fit_post(text, url)
        return self.remembered((text, url), fitted)

    def save(self) -> None:
        """Keep this build's values, if they are not what the file holds."""
        if not self.enabled or self.used == self.known:
            return
        posts = [[*key, value] for key, value in self.used.items()]
        with replacing(self.file) as out:
            out.write(json.dumps({"version": self.version, "posts": posts}, ensure_ascii=False).encode())
