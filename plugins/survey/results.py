from sotong.i18n import _
"""Survey results: per-question counts and shares (pure), accessible SVG bar
from sotong.i18n import _
charts, and the files ``sotong survey results SLUG`` writes.
from sotong.i18n import _

from sotong.i18n import _
Private (``PRIVATE_PATH/surveys/SLUG/``): results.html (free-text answers
from sotong.i18n import _
included, escaped) and results.csv (question, option, count, share).
from sotong.i18n import _
Public, when the survey says ``publish_results: true``, has closed and has at
from sotong.i18n import _
least ``SURVEY_MIN_ANSWERS`` answers (``unpublished_reason``): aggregate
from sotong.i18n import _
counts only, never free text. They are kept as ``public.json`` beside the private
from sotong.i18n import _
files, from which every ``sotong build`` writes
from sotong.i18n import _
``output/surveys/SLUG/results/index.html``; the command also writes that page
from sotong.i18n import _
into the current build at once, so it is there before the next build.
from sotong.i18n import _
"""
from sotong.i18n import _

from sotong.i18n import _
from __future__ import annotations
from sotong.i18n import _

from sotong.i18n import _
import datetime as dt
from sotong.i18n import _
import json
from sotong.i18n import _
from dataclasses import asdict, dataclass, field
from sotong.i18n import _
from pathlib import Path
from sotong.i18n import _

from sotong.i18n import _
from markupsafe import Markup, escape
from sotong.i18n import _

from sotong.i18n import _
from sotong import spreadsheet
from sotong.i18n import _

from sotong.i18n import _
from .schema import Survey
from sotong.i18n import _

from sotong.i18n import _
NO_ANSWER = "(응답 없음)"
from sotong.i18n import _
TEXT_OPTION = "(자유 응답 수)"
from sotong.i18n import _
CSV_COLUMNS = ("question", "option", "count", "share")
from sotong.i18n import _

from sotong.i18n import _

from sotong.i18n import _
@dataclass(frozen=True)
from sotong.i18n import _
class Row:
from sotong.i18n import _
    option: str
from sotong.i18n import _
    count: int
from sotong.i18n import _
    share: float  # of all responses; for a multiple question shares add up to more than 1
from sotong.i18n import _

from sotong.i18n import _

from sotong.i18n import _
@dataclass(frozen=True)
from sotong.i18n import _
class QuestionResult:
from sotong.i18n import _
    id: str
from sotong.i18n import _
    type: str
from sotong.i18n import _
    text: str
from sotong.i18n import _
    rows: tuple
from sotong.i18n import _
    texts: tuple = field(default=())  # free-text answers: private only
from sotong.i18n import _

from sotong.i18n import _

from sotong.i18n import _
@dataclass(frozen=True)
from sotong.i18n import _
class Results:
from sotong.i18n import _
    slug: str
from sotong.i18n import _
    title: str
from sotong.i18n import _
    responses: int
from sotong.i18n import _
    invitations: int
from sotong.i18n import _
    questions: tuple
from sotong.i18n import _

from sotong.i18n import _
    @property
from sotong.i18n import _
    def rate(self) -> float | None:
from sotong.i18n import _
        """Answers / invitations; None when nobody was invited."""
from sotong.i18n import _
        return self.responses / self.invitations if self.invitations else None
from sotong.i18n import _

from sotong.i18n import _
    def public(self) -> "Results":
from sotong.i18n import _
        """The same results without a single free-text answer."""
from sotong.i18n import _
        return Results(self.slug, self.title, self.responses, self.invitations,
from sotong.i18n import _
                       tuple(QuestionResult(q.id, q.type, q.text, q.rows) for q in self.questions))
from sotong.i18n import _

from sotong.i18n import _

from sotong.i18n import _
def unpublished_reason(survey: Survey, answers: int, today: dt.date, min_answers: int) -> str | None:
from sotong.i18n import _
    """Why the results of a survey that says ``publish_results: true`` are
from sotong.i18n import _
    not published yet, or None when they are (SPEC §9)."""
from sotong.i18n import _
    if today <= survey.closes:
from sotong.i18n import _
        return _("the survey takes answers until {isoformat}; run this again after that day").format(
from sotong.i18n import _
            isoformat=survey.closes.isoformat())
from sotong.i18n import _
    if answers < min_answers:
from sotong.i18n import _
        return (_("{answers} answers are fewer than SURVEY_MIN_ANSWERS ({min_answers}), so few that they could tell who answered what").format(
from sotong.i18n import _
            answers=answers, min_answers=min_answers))
from sotong.i18n import _
    return None
from sotong.i18n import _

from sotong.i18n import _

from sotong.i18n import _
def share(count: int, total: int) -> float:
from sotong.i18n import _
    return count / total if total else 0.0
from sotong.i18n import _

from sotong.i18n import _

from sotong.i18n import _
def tally(survey: Survey, responses: list[dict], invitations: int) -> Results:
from sotong.i18n import _
    """Counts per option of every question over ``responses`` (question id -> values)."""
from sotong.i18n import _
    total = len(responses)
from sotong.i18n import _
    results = []
from sotong.i18n import _
    for question in survey.questions:
from sotong.i18n import _
        given = [r.get(question.id, ()) for r in responses]
from sotong.i18n import _
        if question.type == "text":
from sotong.i18n import _
            texts = tuple(values[0] for values in given if values)
from sotong.i18n import _
            rows = (Row(TEXT_OPTION, len(texts), share(len(texts), total)),)
from sotong.i18n import _
            results.append(QuestionResult(question.id, question.type, question.text, rows, texts))
from sotong.i18n import _
            continue
from sotong.i18n import _
        rows = [Row(option, sum(option in values for values in given), 0.0) for option in question.choices]
from sotong.i18n import _
        if question.type != "multiple":
from sotong.i18n import _
            rows.append(Row(NO_ANSWER, sum(not values for values in given), 0.0))
from sotong.i18n import _
        rows = tuple(Row(r.option, r.count, share(r.count, total)) for r in rows
from sotong.i18n import _
                     if r.option != NO_ANSWER or r.count)
from sotong.i18n import _
        results.append(QuestionResult(question.id, question.type, question.text, rows))
from sotong.i18n import _
    return Results(survey.slug, survey.title, total, invitations, tuple(results))
from sotong.i18n import _

from sotong.i18n import _

from sotong.i18n import _
def percent(value: float) -> str:
from sotong.i18n import _
    return f"{value * 100:.1f}%"
from sotong.i18n import _

from sotong.i18n import _

from sotong.i18n import _
BAR_HEIGHT, GAP, LABEL_WIDTH, BAR_SPACE, WIDTH = 28, 10, 260, 260, 640
from sotong.i18n import _

from sotong.i18n import _

from sotong.i18n import _
def bar_chart(result: QuestionResult) -> Markup:
from sotong.i18n import _
    """A horizontal bar chart as inline SVG: role=img with a title and a
from sotong.i18n import _
    description that says every figure, so a screen reader reads the data."""
from sotong.i18n import _
    rows = result.rows
from sotong.i18n import _
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
from sotong.i18n import _
    most = max((r.count for r in rows), default=0) or 1
from sotong.i18n import _
    chart_id = f"chart-{result.id}"
from sotong.i18n import _
    description = ", ".join(f"{r.option} {r.count}명({percent(r.share)})" for r in rows)
from sotong.i18n import _
    parts = [
from sotong.i18n import _
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
from sotong.i18n import _
        f'viewBox="0 0 {WIDTH} {height}" width="100%" style="max-width:{WIDTH}px;font-size:16px">',
from sotong.i18n import _
        f'<title id="{chart_id}-t">{escape(result.text)}</title>',
from sotong.i18n import _
        f'<desc id="{chart_id}-d">{escape(description)}</desc>',
from sotong.i18n import _
    ]
from sotong.i18n import _
    for index, row in enumerate(rows):
from sotong.i18n import _
        y = GAP + index * (BAR_HEIGHT + GAP)
from sotong.i18n import _
        width = round(BAR_SPACE * row.count / most, 1)
from sotong.i18n import _
        label = row.option if len(row.option) <= 16 else row.option[:15] + "…"
from sotong.i18n import _
        parts += [
from sotong.i18n import _
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 19}" text-anchor="end" fill="#1a1a1a">{escape(label)}</text>',
from sotong.i18n import _
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR_HEIGHT}" fill="#0b3a75"></rect>',
from sotong.i18n import _
            f'<text x="{LABEL_WIDTH + width + 6}" y="{y + 19}" fill="#1a1a1a">{row.count} ({percent(row.share)})</text>',
from sotong.i18n import _
        ]
from sotong.i18n import _
    parts.append("</svg>")
from sotong.i18n import _
    return Markup("".join(parts))
from sotong.i18n import _

from sotong.i18n import _

from sotong.i18n import _
def csv_rows(results: Results) -> list[tuple]:
from sotong.i18n import _
    return [(q.id, row.option, row.count, f"{row.share:.4f}") for q in results.questions for row in q.rows]
from sotong.i18n import _

from sotong.i18n import _

from sotong.i18n import _
def write_csv(path: Path, results: Results) -> None:
from sotong.i18n import _
    with open(path, "w", encoding="utf-8-sig", newline="") as file:  # with a BOM, so that Excel reads Korean
from sotong.i18n import _
        writer = spreadsheet.writer(file)
from sotong.i18n import _
        writer.writerow(CSV_COLUMNS)
from sotong.i18n import _
        writer.writerows(csv_rows(results))
from sotong.i18n import _

from sotong.i18n import _

from sotong.i18n import _
def results_to_json(results: Results) -> str:
from sotong.i18n import _
    return json.dumps(asdict(results.public()), ensure_ascii=False, indent=1)
from sotong.i18n import _

from sotong.i18n import _

from sotong.i18n import _
def results_from_json(text: str) -> Results:
from sotong.i18n import _
    data = json.loads(text)
from sotong.i18n import _
    questions = tuple(QuestionResult(q["id"], q["type"], q["text"], tuple(Row(**r) for r in q["rows"]))
from sotong.i18n import _
                      for q in data["questions"])
from sotong.i18n import _
    return Results(data["slug"], data["title"], data["responses"], data["invitations"], questions)
from sotong.i18n import _

from sotong.i18n import _

from sotong.i18n import _
def private_folder(settings: dict, slug: str) -> Path:
from sotong.i18n import _
    return Path(settings["PRIVATE_PATH"]) / "surveys" / slug
from sotong.i18n import _

from sotong.i18n import _

from sotong.i18n import _
def public_json_path(settings: dict, slug: str) -> Path:
from sotong.i18n import _
    return private_folder(settings, slug) / "public.json"
from sotong.i18n import _

from sotong.i18n import _

from sotong.i18n import _
PUBLIC_SAVE_AS = "surveys/{slug}/results/index.html"
