"""A forgotten participant (``signals.person_forgotten``) leaves the private
results page of each consultation they gave opinions in
(``PRIVATE_PATH/surveys/SLUG/results.html``, which lists the free-text
answers): each of their texts there becomes what the store keeps in its
place (:data:`.opinions.ERASED`), so the page says what a new ``sotong
survey results`` would."""

from __future__ import annotations

from collections import defaultdict

from markupsafe import escape

from sotong.atomic import replacing_text

from .opinions import ERASED
from .results import private_folder


def forget_in_results(project, subscriber_id: str, **_contacts) -> dict[str, int]:
    """Receiver of ``person_forgotten``: ``{results page: texts replaced}``."""
    store = project.store
    if "survey_opinions" not in store.tables():
        return {}
    texts = defaultdict(list)
    for slug, text in store.db.execute("SELECT slug, opinion FROM survey_opinions WHERE subscriber_id = ?",
                                       (subscriber_id,)):
        texts[slug].append(text)
    replaced, erased = {}, f"<li>{escape(ERASED)}</li>"
    for slug, theirs in texts.items():
        path = private_folder(project.settings, slug) / "results.html"
        if not path.is_file():
            continue
        page, count = path.read_text(encoding="utf-8"), 0
        for text in theirs:  # once each: another participant may have written the same words
            line = f"<li>{escape(text)}</li>"
            if line in page:
                page, count = page.replace(line, erased, 1), count + 1
        if count:
            with replacing_text(path) as out:
                out.write(page)
            replaced[project.shown(path)] = count
    return replaced
