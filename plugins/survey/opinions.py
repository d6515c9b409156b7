"""Opinions of consultations (SPEC §16): the office's e-governance record,
참여자 정보 + 사업 정보 + 의견. Each text answer to a ``kind: consultation``
survey is kept with the participant's id, gender, dong and age band at the
time of answering and the policy's title and department, in the store's
``survey_opinions`` table; searched by text (substring, so 버스 finds
마을버스; a word's particle left out, so 정류장을 finds 정류장이:
:func:`searched`) and written to CSV for the office.

Search, on SQLite: an FTS5 index with the trigram tokenizer answers queries
of three characters or more. Shorter ones (most Korean words are two
syllables) are read from a second, contentless FTS5 index of each opinion's
grams: every pair of neighbouring letters or digits in a word, and each
word's last one, so 버스 is the gram 버스 and 버 is any gram starting with 버.
Both indexes are read newest first (by rowid) and stop when the page is
full; a short query with other characters (``%``, ``a b``) scans the
opinions the same way.

On PostgreSQL (SPEC §15: the same answers; no extension needed) each
opinion is also kept folded as FTS5 folds it (:func:`fold`), and its folded
grams (every letter or digit of a word and every pair of neighbours) are a
``tsvector`` column (made with ``array_to_tsvector``, so no text-search
parser or language touches them) with a GIN index. A query's own grams pick
the opinions that may hold it, and ``strpos`` keeps those that do: in the
folded text for three characters or more (as the trigram index), in the
text with ASCII letters folded for shorter ones (as SQLite's ``LIKE``); a
one- or two-letter word needs no check, and a query without letters or
digits scans. The planner reads newest first and stops at a full page when
the grams are common, and reads the index when they are rare. The command
prints the newest 100 by default
(benchmarks/opinions.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import string
from dataclasses import dataclass
from pathlib import Path

from sotong.atomic import replacing
from sotong import spreadsheet
from sotong.dates import shift_years
from sotong.i18n import N_, _
from sotong.store import Store, register_schema

TABLES = """
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
CREATE TABLE IF NOT EXISTS survey_opinion_tallies (
    slug TEXT NOT NULL,
    dong TEXT NOT NULL,
    age_band TEXT NOT NULL,
    participants INTEGER NOT NULL,
    PRIMARY KEY (slug, dong, age_band)
);
CREATE TABLE IF NOT EXISTS survey_opinion_days (
    day TEXT PRIMARY KEY,
    first_id INTEGER NOT NULL,
    last_id INTEGER NOT NULL
);
"""
SQLITE_INDEXES = """
CREATE VIRTUAL TABLE IF NOT EXISTS survey_opinions_text USING fts5(
    opinion, content='survey_opinions', content_rowid='id', tokenize='trigram');
CREATE TRIGGER IF NOT EXISTS survey_opinions_indexed AFTER INSERT ON survey_opinions BEGIN
    INSERT INTO survey_opinions_text (rowid, opinion) VALUES (new.id, new.opinion);
END;
CREATE TRIGGER IF NOT EXISTS survey_opinions_unindexed AFTER DELETE ON survey_opinions BEGIN
    INSERT INTO survey_opinions_text (survey_opinions_text, rowid, opinion) VALUES ('delete', old.id, old.opinion);
END;
"""
GRAMS_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS survey_opinions_grams USING fts5(
    grams, content='', tokenize='unicode61 remove_diacritics 0');
"""
POSTGRESQL_INDEXES = """
ALTER TABLE survey_opinions ADD COLUMN IF NOT EXISTS folded TEXT NOT NULL DEFAULT '';
ALTER TABLE survey_opinions ADD COLUMN IF NOT EXISTS grams TSVECTOR NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS survey_opinions_grams ON survey_opinions USING gin (grams) WITH (fastupdate = off);
"""
# version 1: the tables as opinions kept them before versions (SQLite's
# ensure_schema), with PostgreSQL's indexes
register_schema("opinions", {"sqlite": TABLES + SQLITE_INDEXES + GRAMS_SCHEMA,
                             "postgresql": TABLES + POSTGRESQL_INDEXES})
KEEP_DAY = """INSERT INTO survey_opinion_days (day, first_id, last_id) VALUES (?, ?, ?)
ON CONFLICT (day) DO UPDATE SET
first_id = CASE WHEN excluded.first_id < survey_opinion_days.first_id THEN excluded.first_id ELSE survey_opinion_days.first_id END,
last_id = CASE WHEN excluded.last_id > survey_opinion_days.last_id THEN excluded.last_id ELSE survey_opinion_days.last_id END"""
ADD_TO_TALLY = ("ON CONFLICT (slug, dong, age_band) DO UPDATE "
                "SET participants = survey_opinion_tallies.participants + excluded.participants")
COLUMNS = ("slug", "policy", "department", "subscriber_id", "gender", "dong", "age_band", "day", "question", "opinion")
# the export's header, one per column of COLUMNS, in the staff's words (the
# privacy page's: 참여자 번호, 성별, 행정동, 연령대, 정책명, 담당 부서, 참여일, 의견)
EXPORT_HEADER = (N_("Consultation (slug)"), N_("Policy"), N_("Department in charge"), N_("Participant number"),
                 N_("Gender"), N_("Dong"), N_("Age band"), N_("Day given"), N_("Question"), N_("Opinion"))
GENDER_LABELS = {"F": N_("F"), "M": N_("M")}  # 여, 남
INSERT = f"INSERT INTO survey_opinions ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) RETURNING id"
INSERT_WITH_GRAMS = (f"INSERT INTO survey_opinions ({', '.join(COLUMNS)}, folded, grams) "
                     f"VALUES ({', '.join('?' * len(COLUMNS))}, ?, array_to_tsvector(?::text[])) RETURNING id")
RETENTION_YEARS = 5  # content/pages/privacy.md, 제3조 4: 의견을 받은 날부터 5년
ERASED = "(본인 요청으로 지운 의견)"  # what stays of a forgotten person's free-text answer (a survey's or an opinion)
PERSONAL = "subscriber_id != '' OR gender IS NOT NULL OR dong IS NOT NULL OR age_band IS NOT NULL"
TRIGRAM = 3  # the shortest text the trigram index can find
ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
WORD = re.compile(r"[^\W_]+")  # letters and digits: what the grams index splits words by
# common particles (조사) staff type after a word; search leaves them out (:func:`searched`)
PARTICLES = ("을", "를", "이", "가", "은", "는", "에", "에서", "으로", "로", "와", "과", "도", "의", "에게", "께서", "까지",
             "부터", "만")
SHORTEST_STEM = 2  # letters a word keeps once its particle is left out


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
    """The opinions' tables (the steps registered above); an SQLite store
    written before the grams index and the days' id ranges gets them filled
    from its opinions (in one transaction: a store left unfilled is filled
    the next time)."""
    store.upgrade("opinions")
    if store.backend == "sqlite" and store.db.execute(
            "SELECT EXISTS (SELECT 1 FROM survey_opinions) AND NOT EXISTS (SELECT 1 FROM survey_opinion_days)"
    ).fetchone()[0]:
        with store.transaction() as db:
            rows = db.execute("SELECT id, opinion FROM survey_opinions").fetchall()
            db.executemany("INSERT INTO survey_opinions_grams (rowid, grams) VALUES (?, ?)",
                           [(rowid, grams(text)) for rowid, text in rows])
            db.execute("INSERT OR REPLACE INTO survey_opinion_days SELECT day, min(id), max(id) FROM survey_opinions GROUP BY day")
    return store


def index_copied(store: Store) -> None:
    """Receiver of ``sotong.signals.store_copied``: the opinions copied
    into ``store`` made searchable as :func:`record` makes each (the copy
    leaves the indexes out): on SQLite the grams index (the trigram index
    took each row by trigger), on PostgreSQL each row's folded text and grams."""
    if "survey_opinions" not in store.tables():
        return
    rows = store.db.execute("SELECT id, opinion FROM survey_opinions ORDER BY id").fetchall()
    if store.backend == "sqlite":
        store.db.executemany("INSERT INTO survey_opinions_grams (rowid, grams) VALUES (?, ?)",
                             [(rowid, grams(text)) for rowid, text in rows])
        return
    folded = [(rowid, fold(text)) for rowid, text in rows]
    store.db.executemany("UPDATE survey_opinions SET folded = ?, grams = array_to_tsvector(?::text[]) WHERE id = ?",
                         [(text, letter_grams(text), rowid) for rowid, text in folded])


def grams(text: str) -> str:
    """The grams index's words for ``text``: each pair of neighbouring
    letters or digits inside a word and each word's last one, once each."""
    found = dict.fromkeys(gram for word in WORD.findall(text)
                          for gram in [word[i:i + 2] for i in range(len(word) - 1)] + [word[-1]])
    return " ".join(found)


def fold(text: str) -> str:
    """``text`` with each letter case-folded alone, as SQLite's FTS5 indexes
    fold it (Unicode's simple case folding: Σ and ς are σ, ẞ is ß, İ and ﬀ
    stay), so that PostgreSQL finds what SQLite finds."""
    return "".join(map(_fold_letter, text))


@functools.cache
def _fold_letter(letter: str) -> str:
    for folded in (letter.casefold(), letter.lower()):
        if len(folded) == 1:
            return folded
    return letter


def letter_grams(folded: str) -> list[str]:
    """PostgreSQL's grams of a folded text: every letter or digit of a word
    and every pair of neighbours, once each."""
    return list(dict.fromkeys(gram for word in WORD.findall(folded) for size in (1, 2) for gram in _pieces(word, size)))


def query_grams(folded: str) -> str:
    """PostgreSQL's query of the grams an opinion holding a folded text has:
    the pairs of each word of two letters or more, the letter of a
    one-letter word (grams hold letters and digits only, so need no quoting)."""
    return " & ".join(dict.fromkeys(f"'{gram}'" for word in WORD.findall(folded)
                                    for gram in _pieces(word, min(2, len(word)))))


def _pieces(word: str, size: int) -> list[str]:
    return [word[i:i + size] for i in range(len(word) - size + 1)]


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
             (subscriber.gender or None) if subscriber else None, (subscriber.dong or None) if subscriber else None, band,
             day.isoformat(), question, value)
            for question, values in answers.items() if question in texts for value in values if value.strip()]
    for row in rows:
        if store.backend == "sqlite":  # the trigram index by trigger, the grams index here
            rowid = store.db.execute(INSERT, row).fetchone()[0]
            store.db.execute("INSERT INTO survey_opinions_grams (rowid, grams) VALUES (?, ?)", (rowid, grams(row[-1])))
        else:
            folded = fold(row[-1])
            rowid = store.db.execute(INSERT_WITH_GRAMS, (*row, folded, letter_grams(folded))).fetchone()[0]
        store.db.execute(KEEP_DAY, (day.isoformat(), rowid, rowid))
    return len(rows)


def searched(text: str) -> str:
    """What search looks for when staff typed ``text``: a word ending in a
    common particle (:data:`PARTICLES`, the longest it ends in: 으로, not
    로) without it, so that 정류장을 also finds 정류장이 and 정류장에서;
    every opinion holding the word as typed holds that stem too, so no exact
    match is lost. Two words, or other characters, are looked for as typed.

    The particle stays when fewer than :data:`SHORTEST_STEM` letters would
    be left (차를, 집으로, and 마을, 도로, whose last syllable only looks
    like one): a single syllable is inside countless unrelated words (차 in
    자동차, 주차, 차이), and it is shorter than the grams the index holds
    (pairs of letters), so the grams index would read it as the start of any
    gram, nearly a scan, to find opinions staff did not look for."""
    if not WORD.fullmatch(text):
        return text
    particle = max((particle for particle in PARTICLES if text.endswith(particle)), key=len, default="")
    return text[:-len(particle)] if particle and len(text) - len(particle) >= SHORTEST_STEM else text


def search(store: Store, text: str, policy: str | None = None, department: str | None = None,
           limit: int | None = None, since: dt.date | None = None, until: dt.date | None = None) -> list[Opinion]:
    """Opinions holding ``text`` (a substring, case-folded for Latin letters;
    a word's particle left out: :func:`searched`), of policy SLUG and department when given, answered from ``since`` to
    ``until`` (both days included) when given, newest first (in the order
    they were answered), at most ``limit``."""
    text_condition = _text_condition if store.backend == "sqlite" else _postgresql_text_condition
    sql, args, rowid = text_condition(searched(text))
    first = f"{rowid} >= (SELECT min(first_id) FROM survey_opinion_days WHERE day >= ?) AND o.day >= ?"
    last = f"{rowid} <= (SELECT max(last_id) FROM survey_opinion_days WHERE day <= ?) AND o.day <= ?"
    for condition, value in (("o.slug = ?", policy), ("o.department = ?", department),
                             (first, since and since.isoformat()), (last, until and until.isoformat())):
        if value is not None:
            sql += f" AND {condition}"
            args.extend([value] * condition.count("?"))
    sql += f" ORDER BY {rowid} DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [Opinion(*row) for row in store.db.execute(sql, args)]


def _text_condition(text: str) -> tuple[str, list, str]:
    """The query finding ``text``, its arguments and the rowid it is read in
    (newest first): the trigram index, the grams index, or a scan (see the
    module). The days bound that rowid (``survey_opinion_days``: each day's
    first and last opinion), so an index reads only the days asked for."""
    columns = ", ".join("o." + c for c in COLUMNS)
    if len(text) >= TRIGRAM:  # a quoted phrase
        return (f"SELECT {columns} FROM survey_opinions_text t JOIN survey_opinions o ON o.id = t.rowid "
                "WHERE t.survey_opinions_text MATCH ?", ['"' + text.replace('"', '""') + '"'], "t.rowid")
    if WORD.fullmatch(text):  # 버스 is a gram; 버 starts one
        return (f"SELECT {columns} FROM survey_opinions_grams g JOIN survey_opinions o ON o.id = g.rowid "
                "WHERE g.survey_opinions_grams MATCH ?", [f'"{text}"' + ("*" if len(text) == 1 else "")],
                "g.rowid")
    return (f"SELECT {columns} FROM survey_opinions o WHERE o.opinion LIKE ? ESCAPE '\\'",
            [_like_pattern(text)], "o.id")


def _postgresql_text_condition(text: str) -> tuple[str, list, str]:
    """The same on PostgreSQL: the opinions with the query's grams (all
    opinions if it has none), kept when they hold ``text`` as SQLite's index
    or scan would find it; a one- or two-letter word is its own gram."""
    columns = ", ".join("o." + c for c in COLUMNS)
    required = query_grams(fold(text))
    if not required:
        sql, args, rowid = f"SELECT {columns} FROM survey_opinions o WHERE TRUE", [], "o.id"
    else:
        sql, args, rowid = f"SELECT {columns} FROM survey_opinions o WHERE o.grams @@ ?::tsquery", [required], "o.id"
    if len(text) < TRIGRAM and WORD.fullmatch(text):
        return sql, args, rowid
    if len(text) >= TRIGRAM:  # as the trigram index folds case
        return sql + " AND strpos(o.folded, ?) > 0", [*args, fold(text)], rowid
    lowered = text.translate(ASCII_LOWER)  # as SQLite's LIKE, which folds ASCII letters only
    opinion = "o.opinion" if lowered == text else f"translate(o.opinion, '{string.ascii_uppercase}', '{string.ascii_lowercase}')"
    return sql + f" AND strpos({opinion}, ?) > 0", [*args, lowered], rowid


def _like_pattern(text: str) -> str:
    """``text`` anywhere, its ``%``, ``_`` and ``\\`` taken as themselves."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def of_policy(store: Store, slug: str) -> list[Opinion]:
    rows = store.db.execute(f"SELECT {', '.join(COLUMNS)} FROM survey_opinions WHERE slug = ? ORDER BY id", (slug,))
    return [Opinion(*row) for row in rows]


def export(store: Store, slug: str, path: str | Path, dongs: dict | None = None,
           questions: dict | None = None) -> int:
    """Write the opinions of ``slug`` as CSV (UTF-8 with BOM, for Excel):
    a header in the staff's language (:data:`EXPORT_HEADER`), a gender as
    여 or 남, a dong by its label in ``dongs`` (audiences.yaml's; a dong gone
    from it by its key), a question by its text in ``questions`` (id ->
    text, as the survey's file asks it now; a file gone: its id); every
    cell quoted as needed, formula cells written as text."""
    rows = of_policy(store, slug)
    dongs, questions = dongs or {}, questions or {}
    genders = {key: _(word) for key, word in GENDER_LABELS.items()}
    with replacing(Path(path)) as out:
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        writer = spreadsheet.writer(text)
        writer.writerow([_(header) for header in EXPORT_HEADER])
        for row in rows:
            shown = row.__dict__ | {"gender": genders.get(row.gender, row.gender), "dong": dongs.get(row.dong, row.dong),
                                    "question": questions.get(row.question, row.question)}
            writer.writerow(["" if shown[column] is None else shown[column] for column in COLUMNS])
        text.flush()
        text.detach()
    return len(rows)


def by_dong_and_age(store: Store, slug: str) -> dict[tuple, int]:
    """(dong, age band) -> participants who gave an opinion on ``slug``:
    those still on record, and those counted when their opinions were purged."""
    rows = store.db.execute(
        "SELECT dong, age_band, CAST(sum(participants) AS INTEGER) FROM ("
        "SELECT nullif(dong, '') AS dong, nullif(age_band, '') AS age_band, count(DISTINCT subscriber_id) AS participants "
        "FROM survey_opinions WHERE slug = ? AND subscriber_id != '' GROUP BY nullif(dong, ''), nullif(age_band, '') "
        "UNION ALL "
        "SELECT nullif(dong, ''), nullif(age_band, ''), participants FROM survey_opinion_tallies WHERE slug = ?) AS counted "
        "GROUP BY dong, age_band ORDER BY dong, age_band", (slug, slug))
    return {(dong, band): count for dong, band, count in rows}


def erase_person(store: Store, subscriber_id: str) -> dict[str, int]:
    """Inside forget's transaction (``forget.erase_person``, after the
    answers holding them were erased): delete the opinions of ``subscriber_id`` (the privacy page,
    제3조 4: deleted without delay on request). On SQLite the trigram index
    loses them by trigger, the contentless grams index by its 'delete'
    command with the grams they were indexed with, and both indexes are
    merged whole (``optimize``: 1.4 s at 100,000 opinions), as FTS5 keeps a
    deleted row's terms in its old segments until they merge; on PostgreSQL
    the grams are the row's. The days' id ranges stay true bounds. Only the
    counts stay (SPEC §13): the person is first counted among the
    participants by dong and age band of each policy (``survey_opinion_tallies``,
    as :func:`purge` counts), so results do not change."""
    if "survey_opinions" not in store.tables():
        return {}
    rows = store.db.execute("SELECT id, opinion FROM survey_opinions WHERE subscriber_id = ?", (subscriber_id,)).fetchall()
    store.db.execute(
        "INSERT INTO survey_opinion_tallies (slug, dong, age_band, participants) "
        "SELECT DISTINCT slug, coalesce(dong, ''), coalesce(age_band, ''), 1 FROM survey_opinions WHERE subscriber_id = ? "
        f"{ADD_TO_TALLY}", (subscriber_id,))
    if store.backend == "sqlite":
        store.db.executemany("INSERT INTO survey_opinions_grams (survey_opinions_grams, rowid, grams) VALUES ('delete', ?, ?)",
                             [(rowid, grams(text)) for rowid, text in rows])
    store.db.executemany("DELETE FROM survey_opinions WHERE id = ?", [(rowid,) for rowid, _text in rows])
    if rows and store.backend == "sqlite":  # FTS5 keeps a deleted row's terms until its segments merge
        for index in ("survey_opinions_text", "survey_opinions_grams"):
            store.db.execute(f"INSERT INTO {index} ({index}) VALUES ('optimize')")
    return {"survey_opinions": len(rows)}


def retention_start(today: dt.date) -> dt.date:
    """The first day whose opinions are still kept with their participant."""
    return shift_years(today, -RETENTION_YEARS)


def purgeable(store: Store, today: dt.date) -> int:
    """The opinions :func:`purge` would erase the participant of ``today``."""
    return store.db.execute(f"SELECT count(*) FROM survey_opinions WHERE day < ? AND ({PERSONAL})",
                            (retention_start(today).isoformat(),)).fetchone()[0]


def purge(store: Store, today: dt.date) -> int:
    """Erase the participant (id, gender, dong, age band) of every opinion
    received before the retention period; the text, policy, department and
    day stay, and the participants by dong and age band are added to
    ``survey_opinion_tallies`` first (each person once per policy, dong and
    age band, not again if still on record there); inside :meth:`Store.erasing`,
    so the participants leave the store's files too. Returns the opinions purged."""
    start = retention_start(today).isoformat()
    with store.erasing(["survey_opinions"]), store.transaction() as db:
        db.execute(
            "INSERT INTO survey_opinion_tallies (slug, dong, age_band, participants) "
            "SELECT slug, coalesce(dong, ''), coalesce(age_band, ''), count(DISTINCT subscriber_id) FROM survey_opinions o "
            "WHERE day < ? AND subscriber_id != '' AND NOT EXISTS (SELECT 1 FROM survey_opinions kept "
            "WHERE kept.day >= ? AND kept.slug = o.slug AND kept.subscriber_id = o.subscriber_id "
            "AND coalesce(kept.dong, '') = coalesce(o.dong, '') AND coalesce(kept.age_band, '') = coalesce(o.age_band, '')) "
            f"GROUP BY slug, coalesce(dong, ''), coalesce(age_band, '') {ADD_TO_TALLY}",
            (start, start))
        return db.execute(f"UPDATE survey_opinions SET subscriber_id = '', gender = NULL, dong = NULL, age_band = NULL "
                          f"WHERE day < ? AND ({PERSONAL})", (start,)).rowcount
