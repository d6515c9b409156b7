"""Opinions of consultations (SPEC §16): the office's e-governance record,
참여자 정보 + 사업 정보 + 의견. Each text answer to a ``kind: consultation``
survey is kept with the participant's id, gender, dong and age band at the
time of answering and the policy's title and department, in the store's
``survey_opinions`` table; searched by text (substring, so 버스 finds
마을버스) and written to CSV for the office.

Search: an FTS5 index with the trigram tokenizer answers queries of three
characters or more; shorter ones (most Korean words are two syllables) scan
the opinions newest first (by rowid) until the page is full.
The command prints the newest 100 by default (benchmarks/opinions.py).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from sotong.atomic import replacing
from sotong import spreadsheet
from sotong.store import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS survey_opinions (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL,
    policy TEXT NOT NULL,
    department TEXT NOT NULL,
    subscriber_id TEXT NOT NULL,
    gender TEXT,
    dong TEXT,
    age_band TEXT,
    day TEXT NOT NULL,
    question TEXT NOT NULL,
    opinion TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS survey_opinions_slug ON survey_opinions (slug);
CREATE INDEX IF NOT EXISTS survey_opinions_department ON survey_opinions (department);
CREATE VIRTUAL TABLE IF NOT EXISTS survey_opinions_text USING fts5(
    opinion, content='survey_opinions', content_rowid='id', tokenize='trigram');
CREATE TRIGGER IF NOT EXISTS survey_opinions_indexed AFTER INSERT ON survey_opinions BEGIN
    INSERT INTO survey_opinions_text (rowid, opinion) VALUES (new.id, new.opinion);
END;
CREATE TRIGGER IF NOT EXISTS survey_opinions_unindexed AFTER DELETE ON survey_opinions BEGIN
    INSERT INTO survey_opinions_text (survey_opinions_text, rowid, opinion) VALUES ('delete', old.id, old.opinion);
END;
"""
COLUMNS = ("slug", "policy", "department", "subscriber_id", "gender", "dong", "age_band", "day", "question", "opinion")
TRIGRAM = 3  # the shortest text the trigram index can find


@dataclass(frozen=True)
class Opinion:
    slug: str
    policy: str
    department: str
    subscriber_id: str
    gender: str | None
    dong: str | None
    age_band: str | None
    day: str
    question: str
    opinion: str


def ensure(store: Store) -> Store:
    store.ensure_schema(SCHEMA)
    return store


def age_band(birth_year: int | None, year: int) -> str | None:
    """The age band of a birth year in ``year``: 10대 ... 70대 이상 (under 20: 10대)."""
    if birth_year is None:
        return None
    decade = max(10, min(70, (year - birth_year) // 10 * 10))
    return f"{decade}대 이상" if decade == 70 else f"{decade}대"


def record(store: Store, survey, subscriber, answers: dict, day: dt.date) -> int:
    """The text answers of ``subscriber`` to consultation ``survey``, with its
    profile as it is today; returns how many were kept."""
    texts = {q.id for q in survey.questions if q.type == "text"}
    band = age_band(subscriber.birth_year if subscriber else None, day.year)
    rows = [(survey.slug, survey.policy.title, survey.policy.department, subscriber.id if subscriber else "",
             subscriber.gender if subscriber else None, subscriber.dong if subscriber else None, band,
             day.isoformat(), question, value)
            for question, values in answers.items() if question in texts for value in values if value.strip()]
    store.db.executemany(f"INSERT INTO survey_opinions ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                         rows)
    return len(rows)


def search(store: Store, text: str, policy: str | None = None, department: str | None = None,
           limit: int | None = None) -> list[Opinion]:
    """Opinions holding ``text`` (a substring, case-folded for Latin letters),
    of policy SLUG and department when given, newest first (in the order
    they were answered), at most ``limit``."""
    columns = ", ".join("o." + c for c in COLUMNS)
    if len(text) >= TRIGRAM:  # a quoted phrase, read from the index newest first: it stops when the page is full
        sql = (f"SELECT {columns} FROM survey_opinions_text t JOIN survey_opinions o ON o.id = t.rowid "
               "WHERE t.survey_opinions_text MATCH ?")
        args = ['"' + text.replace('"', '""') + '"']
        order = " ORDER BY t.rowid DESC"
    else:
        sql = f"SELECT {columns} FROM survey_opinions o WHERE o.opinion LIKE ? ESCAPE '\\'"
        args = ["%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"]
        order = " ORDER BY o.id DESC"
    for column, value in (("slug", policy), ("department", department)):
        if value is not None:
            sql += f" AND o.{column} = ?"
            args.append(value)
    sql += order
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [Opinion(*row) for row in store.db.execute(sql, args)]


def of_policy(store: Store, slug: str) -> list[Opinion]:
    rows = store.db.execute(f"SELECT {', '.join(COLUMNS)} FROM survey_opinions WHERE slug = ? ORDER BY id", (slug,))
    return [Opinion(*row) for row in rows]


def export(store: Store, slug: str, path: str | Path) -> int:
    """Write the opinions of ``slug`` as CSV (UTF-8 with BOM, for Excel):
    every cell quoted as needed, formula cells written as text."""
    rows = of_policy(store, slug)
    with replacing(Path(path)) as out:
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        writer = spreadsheet.writer(text)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow(["" if cell is None else cell for cell in row.__dict__.values()])
        text.flush()
        text.detach()
    return len(rows)


def by_dong_and_age(store: Store, slug: str) -> dict[tuple, int]:
    """(dong, age band) -> participants who gave an opinion on ``slug``."""
    rows = store.db.execute("SELECT dong, age_band, count(DISTINCT subscriber_id) FROM survey_opinions "
                            "WHERE slug = ? GROUP BY dong, age_band ORDER BY dong, age_band", (slug,))
    return {(dong, band): count for dong, band, count in rows}
