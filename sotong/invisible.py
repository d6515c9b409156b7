"""What a person typed that shows nothing: white space, invisible format
characters and the Hangul fillers, and a text without them at its ends, as
forms read an answer (a survey's, a sign-up's). A phone pastes them where
nobody sees them: a number copied from iOS Contacts comes wrapped in U+202A
and U+202C, a web page's address may end in U+200B, a blank name on a Korean
phone is U+3164. And what no stored text of a person may hold
(:data:`UNSTORABLE`), whether a form or an imported file brings it, and what
a form's text is kept without (:data:`NOT_KEPT`)."""

from __future__ import annotations

import re
import unicodedata

# Letters that show nothing: the Hangul fillers (U+3164 is how blank names are typed on Korean phones).
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")

# What no posted text may hold: C0 control characters but tab, newline and CR
# (PostgreSQL's text cannot hold NUL), DEL and the C1 controls (U+009B is a
# terminal's CSI: an opinion must not move the cursor or recolour the screen
# of staff reading `sotong opinions search`), lone surrogates, which is what
# bytes that are not UTF-8 (such as %FF) are read as, and U+FFFD, which is
# what werkzeug reads them as in a multipart form; and the bidirectional
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), which
# show an opinion's words in another order than they were written, in staff's
# terminal and in Excel (Korean text never needs them).
_UNSTORABLE = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffd"
UNSTORABLE = re.compile(f"[{_UNSTORABLE}]")
# And what a posted form is kept without, without a word (:data:`NOT_KEPT`):
# the right-to-left marks (U+200F, and U+061C, the Arabic letter mark). They
# open nothing, but the numbers and the dots and spaces between them take
# their direction: "\u200f11. 20.(금)" showed as "20 .11.(금)" to staff
# reading an opinion's page or an export, "5 000원" as "000 5원". A resident
# never means one (a keyboard switched to Arabic or Hebrew, or a text pasted
# from a message, brings it along) and could not see it to take it out, so
# no error asks them to.
NOT_KEPT = re.compile(f"[{_UNSTORABLE}\u061c\u200f]")


def shows_nothing(char: str) -> bool:
    """Whether ``char`` leaves no mark: white space, an invisible format
    character (U+200B, U+FEFF, U+202A...: Unicode's Cf) or a Hangul filler."""
    return char.isspace() or char in BLANK_LETTERS or unicodedata.category(char) == "Cf"


def trimmed(value: str) -> str:
    """``value`` without what shows nothing at its ends (see
    :func:`shows_nothing`): an answer of nothing else is no answer."""
    start, end = 0, len(value)
    while start < end and shows_nothing(value[start]):
        start += 1
    while end > start and shows_nothing(value[end - 1]):
        end -= 1
    return value[start:end]
