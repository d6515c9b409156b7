"""Survey results: per-question counts and shares (pure), accessible SVG bar
charts, and the files ``sotong survey results SLUG`` writes.

Private (``PRIVATE_PATH/surveys/SLUG/``): results.html (free-text answers
included, escaped) and results.csv (question, option, count, share).
Public, when the survey says ``publish_results: true``, has closed and has at
least ``SURVEY_MIN_ANSWERS`` answers (``unpublished_reason``): aggregate
counts only, never free text. They are kept as ``public.json`` beside the private
files, from which every ``sotong build`` writes
``output/surveys/SLUG/results/index.html``; the command also writes that page
into the current build at once, so it is there before the next build.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from markupsafe import Markup, escape

from sotong import spreadsheet
from sotong.i18n import _

from .schema import Survey

NO_ANSWER = "(응답 없음)"
TEXT_OPTION = "(자유 응답 수)"
GONE_OPTION = "(지금은 없는 보기를 고른 응답)"
CSV_COLUMNS = ("question", "option", "count", "share")


@dataclass(frozen=True)
class Row:
    option: str
    count: int
    share: float  # of all responses; for a multiple question shares add up to more than 1


@dataclass(frozen=True)
class QuestionResult:
    id: str
    type: str
    text: str
    rows: tuple
    texts: tuple = field(default=())  # free-text answers: private only
    ends: tuple = ()  # a scale's labelled ends: (point, label) pairs, e.g. ("1", "매우 불만족")

    def shown(self, option: str) -> str:
        """An option as the chart says it: a scale's end with its label ("1 (매우 불만족)")."""
        label = dict(self.ends).get(option)
        return option if label is None else f"{option} ({label})"


@dataclass(frozen=True)
class Results:
    slug: str
    title: str
    responses: int
    invitations: int  # readers invited at least once
    questions: tuple
    invited_answers: int | None = None  # those of them who answered; None in counts kept before it was counted

    @property
    def rate(self) -> float | None:
        """The invited readers who answered / the invited readers (answers
        of links no invitation records, such as a reader's from their own
        page before any issue invited them, or a test copy's sent before
        test copies carried test links, are not in it); None when nobody was invited."""
        if not self.invitations:
            return None
        return (self.responses if self.invited_answers is None else self.invited_answers) / self.invitations

    @property
    def uninvited_answers(self) -> int:
        """Answers that came by links no recorded invitation gave."""
        return 0 if self.invited_answers is None else self.responses - self.invited_answers

    def public(self) -> "Results":
        """The same results without a single free-text answer."""
        return Results(self.slug, self.title, self.responses, self.invitations,
                       tuple(QuestionResult(q.id, q.type, q.text, q.rows, ends=q.ends) for q in self.questions),
                       self.invited_answers)


def unpublished_reason(survey: Survey, answers: int, today: dt.date, min_answers: int) -> str | None:
    """Why the results of a survey that says ``publish_results: true`` are
    not published yet, or None when they are (SPEC §9)."""
    if today <= survey.closes:
        return _("the survey takes answers until {isoformat}; run this again after that day").format(
            isoformat=survey.closes.isoformat())
    if answers < min_answers:
        return (_("{answers} answers are fewer than SURVEY_MIN_ANSWERS ({min_answers}), so few that they could tell who answered what").format(
            answers=answers, min_answers=min_answers))
    return None


def share(count: int, total: int) -> float:
    return count / total if total else 0.0


def tally(survey: Survey, responses: list[dict], invitations: int, invited_answers: int | None = None) -> Results:
    """Counts per option of every question over ``responses`` (question id -> values);
    ``invitations`` readers invited, ``invited_answers`` of them answered."""
    total = len(responses)
    results = []
    for question in survey.questions:
        given = [r.get(question.id, ()) for r in responses]
        if question.type == "text":
            texts = tuple(values[0] for values in given if values)
            rows = (Row(TEXT_OPTION, len(texts), share(len(texts), total)),)
            results.append(QuestionResult(question.id, question.type, question.text, rows, texts))
            continue
        rows = [Row(option, sum(option in values for values in given), 0.0) for option in question.choices]
        # answers the survey no longer offers (an option renamed or removed while it was open), counted
        # without their words (a question that was a text question would publish free text)
        rows.append(Row(GONE_OPTION, sum(not set(values) <= set(question.choices) for values in given), 0.0))
        if question.type != "multiple":
            rows.append(Row(NO_ANSWER, sum(not values for values in given), 0.0))
        rows = tuple(Row(r.option, r.count, share(r.count, total)) for r in rows
                     if r.option not in (NO_ANSWER, GONE_OPTION) or r.count)
        results.append(QuestionResult(question.id, question.type, question.text, rows,
                                      ends=tuple(question.end_labels().items())))
    return Results(survey.slug, survey.title, total, invitations, tuple(results), invited_answers)


def percent(value: float) -> str:
    """A share to one decimal; one above none or short of all is never shown
    as none or all (1 of 5,000 is not "0.0%", 1,999 of 2,000 not "100.0%")."""
    if 0 < value < 0.0005:
        return "0.1% 미만"
    if 0.9995 <= value < 1:
        return "99.9%"
    return f"{value * 100:.1f}%"


# A chart's row: the option and its figures as text, which wraps and grows
# with the reader's text size like the rest of the page, over its bar, an SVG
# as wide as the chart for the most answered option. (Labels drawn inside one
# SVG scaled with the picture, not the text: at 200 % text on a 320px phone
# they were 14px in a page of 36px, and a long option was cut short.)
# A bar is filled with the colour of the span around its SVG (currentColor),
# which a browser in forced colours (Windows' high contrast) makes the text's:
# Chromium keeps an SVG's own colours, and a navy fill stayed navy on black
# there, the bars all but gone (1.6:1).
ROW_STYLE = "margin:0 0 .7rem"
BAR_STYLE = "display:block;width:100%;height:1.25rem;margin-top:.15rem"
BAR_COLOUR = "#0b3a75"


def bar_chart(result: QuestionResult) -> Markup:
    """A horizontal bar chart: role=img, named by the question and described
    by every figure, so a screen reader hears the data once (the visible
    labels and bars inside are not read again)."""
    rows = result.rows
    most = max((r.count for r in rows), default=0) or 1
    chart_id = f"chart-{result.id}"
    description = ", ".join(f"{result.shown(r.option)} {r.count}명({percent(r.share)})" for r in rows)
    parts = [
        f'<div class="survey-chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" style="margin:0 0 1rem">',
        f'<span id="{chart_id}-t" hidden>{escape(result.text)}</span>',
        f'<span id="{chart_id}-d" hidden>{escape(description)}</span>',
    ]
    for row in rows:
        parts += [
            f'<div style="{ROW_STYLE}">{escape(result.shown(row.option))}: <strong style="white-space:nowrap">'
            f'{row.count}명 ({percent(row.share)})</strong>',
            f'<span style="display:block;color:{BAR_COLOUR}"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 10" '
            f'preserveAspectRatio="none" style="{BAR_STYLE}"><rect width="{round(100 * row.count / most, 1)}" height="10" '
            f'fill="currentColor"></rect></svg></span></div>',
        ]
    parts.append("</div>")
    return Markup("".join(parts))


def csv_rows(results: Results) -> list[tuple]:
    return [(q.id, _option_cell(q, row.option), row.count, f"{row.share:.4f}") for q in results.questions for row in q.rows]


def _option_cell(question: QuestionResult, option: str) -> str | int:
    """A scale's point as the number it is: as text, a negative one is
    written as a formula neutralized ('-2), which Excel shows with its quote."""
    if question.type == "scale" and option.lstrip("-").isdecimal():
        return int(option)
    return option


def write_csv(path: Path, results: Results) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as file:  # with a BOM, so that Excel reads Korean
        writer = spreadsheet.writer(file)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(csv_rows(results))


def results_to_json(results: Results) -> str:
    return json.dumps(asdict(results.public()), ensure_ascii=False, indent=1)


def results_from_json(text: str) -> Results:
    data = json.loads(text)
    questions = tuple(QuestionResult(q["id"], q["type"], q["text"], tuple(Row(**r) for r in q["rows"]),
                                     ends=tuple(map(tuple, q.get("ends", ())))) for q in data["questions"])
    return Results(data["slug"], data["title"], data["responses"], data["invitations"], questions,
                   data.get("invited_answers"))


def private_folder(settings: dict, slug: str) -> Path:
    return Path(settings["PRIVATE_PATH"]) / "surveys" / slug


def public_json_path(settings: dict, slug: str) -> Path:
    return private_folder(settings, slug) / "public.json"


PUBLIC_SAVE_AS = "surveys/{slug}/results/index.html"
