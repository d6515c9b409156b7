"""The report of one issue (``sotong report --issue D``, SPEC §14): per
notice and in total, by channel and type, the messages (emails to send,
SMS handed over), emails accepted by the mail server, refused by it and not
sent yet, bounced later (hard, soft), SMS delivered and failed as
the agency reports, clicks and click rate; and the survey invitations and
answers the survey plugin reports through ``signals.outbox_figures``.
Written as private/reports/issue-D.html (with a chart) and issue-D.csv.

Counting is a pure function of the journal's aggregates; files at the edge.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

from rich.cells import cell_len  # a Korean letter is two cells wide, as in the chart's font

from sotong.i18n import N_, _
from sotong.links import code_fits

from .annual import write_html_and_csv
from .bounces import LATE
from .journal import NOTICES_AS_ROWS

TYPE_LABELS = {"EMAIL": "이메일", "SMS": "SMS(단문)", "LMS": "LMS(장문)"}
CHANNEL_LABELS = {"email": "이메일", "sms": "문자(SMS·LMS)"}
CHART_LEFT = 300  # px of the chart left of its bars, for the notices' titles
LABEL_CELLS = 40  # what those px hold at 14px, a Korean letter (two cells) at most 14px wide
GONE_NOTICE = "(지금은 없는 소식, 짧은 주소 {code})"  # an SMS click's code that names no notice of the outbox


@dataclass
class Figures:
    """The counts of one line: a notice on a channel, a type, or a total."""

    messages: int = 0  # emails to send (the journal's: withdrawn ones are not), SMS given to the agency
    accepted: int = 0  # emails the server took (250)
    refused: int = 0  # emails the server refused (5xx)
    unsent: int = 0  # emails not yet accepted or refused: deferred, in flight when a run stopped, not tried
    bounced_hard: int = 0
    bounced_soft: int = 0
    sms_delivered: int = 0
    sms_failed: int = 0
    sms_handed_over: int = 0  # the SMS among messages
    clicks: int | None = None  # None where clicks cannot be told apart (SMS against LMS)

    def add(self, other: "Figures") -> None:
        for name in (f.name for f in fields(self) if f.name != "clicks"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.clicks is not None:
            self.clicks = (self.clicks or 0) + other.clicks

    @property
    def reached(self) -> int:
        """Messages that arrived as far as is known: emails the server accepted
        that did not bounce hard, and SMS the agency did not report failed."""
        return max(0, self.accepted - self.bounced_hard) + max(0, self.sms_handed_over - self.sms_failed)

    @property
    def click_rate(self) -> float | None:
        if self.clicks is None or not self.reached:
            return None
        return self.clicks / self.reached


@dataclass
class NoticeLine:
    slug: str
    title: str
    by_channel: dict = field(default_factory=dict)  # email/sms -> Figures


@dataclass
class IssueReport:
    outbox: str
    notices: list  # NoticeLine, most messages first
    by_type: dict  # EMAIL/SMS/LMS -> Figures (messages, not notices)
    by_channel: dict  # email/sms -> Figures
    total: Figures
    surveys: list  # {"title", "invitations", "answers"}


def issue_report(outbox: str, notice_rows, message_rows, clicks: dict, titles: dict, surveys: list) -> IssueReport:
    """``notice_rows``: (slug, channel, type, *Figures counts) per notice;
    ``message_rows``: (channel, type, *Figures counts) per message;
    ``clicks``: {(channel, slug): clicks}; ``titles``: slug -> title."""
    notices: dict[str, NoticeLine] = {}
    for slug, channel, _type, *counts in notice_rows:
        line = notices.setdefault(slug, NoticeLine(slug, titles.get(slug) or slug))
        line.by_channel.setdefault(channel, Figures(clicks=0)).add(Figures(*counts))
    for (channel, slug), count in clicks.items():
        line = notices.setdefault(slug, NoticeLine(slug, titles.get(slug) or slug))
        line.by_channel.setdefault(channel, Figures(clicks=0)).add(Figures(clicks=count))
    by_type = {t: Figures() for t in TYPE_LABELS}
    by_channel = {c: Figures(clicks=0) for c in CHANNEL_LABELS}
    total = Figures(clicks=0)
    for channel, message_type, *counts in message_rows:
        figures = Figures(*counts)
        by_type[message_type].add(figures)
        by_channel[channel].add(figures)
        total.add(figures)
    for (channel, _slug), count in clicks.items():
        by_channel[channel].add(Figures(clicks=count))
        total.add(Figures(clicks=count))
    ordered = sorted(notices.values(), key=lambda n: (-sum(f.messages for f in n.by_channel.values()), n.slug))
    return IssueReport(outbox, ordered, by_type, by_channel, total, surveys)


def notice_clicks(clicks: dict, codes: dict, titles: dict) -> tuple[dict, dict]:
    """({(channel, slug): clicks}, titles) from the collector's counts
    ``{(channel, ref): clicks}``: an email's ref is its notice's slug, an
    SMS's the short code, read as the notice of the outbox (``titles``, the
    journal's slug -> title) that it fits: the only one, else the one today's
    ``codes`` (slug -> code) give it. A code none fits (its notice is no
    longer published) stays, titled :data:`GONE_NOTICE`."""
    by_code, outbox_slugs = {code: slug for slug, code in codes.items()}, set(titles)
    counted, titles = {}, dict(titles)
    for (channel, ref), count in clicks.items():
        slug = ref if channel == "email" else _notice_of_code(ref, by_code, outbox_slugs)
        if slug is None:
            slug = ref
            titles[ref] = GONE_NOTICE.format(code=ref)
        counted[channel, slug] = counted.get((channel, slug), 0) + count
    return counted, titles


def _notice_of_code(code: str, by_code: dict, outbox_slugs) -> str | None:
    fitting = [slug for slug in outbox_slugs if code_fits(code, slug)]
    if len(fitting) == 1:
        return fitting[0]
    today = by_code.get(code)
    return today if today in fitting or (today and not outbox_slugs) else None


# the CSV's header (the page's words): a column of each of Figures' fields, in their order
FIGURE_WORDS = {"messages": N_("Messages"), "accepted": N_("Accepted by the mail server"), "refused": N_("Refused"),
                "unsent": N_("Not sent yet"), "bounced_hard": N_("Bounced for good"),
                "bounced_soft": N_("Bounced for now"), "sms_delivered": N_("SMS delivered"),
                "sms_failed": N_("SMS failed"), "sms_handed_over": N_("SMS handed over"), "clicks": N_("Clicks")}
CSV_COLUMNS = (N_("Table"), N_("Item"), N_("Notice slug"), N_("Channel"), N_("Type"),
               *(FIGURE_WORDS[f.name] for f in fields(Figures)),
               N_("Reached (estimate)"), N_("Click rate"), N_("Survey invitations that reached"),
               N_("Survey answers"))
TABLE_WORDS = {"notice": N_("notice"), "type": N_("by type"), "channel": N_("by channel"), "total": N_("total"),
               "survey": N_("survey")}


def csv_rows(report: IssueReport):
    """The CSV's rows as staff read them: a notice by its title (and its
    slug, which tells two of one title apart), channels and types by the
    page's words."""
    def row(table, item, channel, message_type, figures: Figures, slug=""):
        rate = "" if figures.click_rate is None else f"{figures.click_rate:.4f}"
        values = ["" if getattr(figures, f.name) is None else getattr(figures, f.name) for f in fields(Figures)]
        return [_(TABLE_WORDS[table]), item, slug, channel and CHANNEL_LABELS[channel],
                message_type and TYPE_LABELS[message_type], *values, figures.reached, rate, "", ""]

    for line in report.notices:
        for channel, figures in sorted(line.by_channel.items()):
            yield row("notice", line.title, channel, "", figures, slug=line.slug)
    for message_type, figures in report.by_type.items():
        yield row("type", TYPE_LABELS[message_type], "", message_type, figures)
    for channel, figures in report.by_channel.items():
        yield row("channel", CHANNEL_LABELS[channel], channel, "", figures)
    yield row("total", "합계", "", "", report.total)
    for survey in report.surveys:
        yield [_(TABLE_WORDS["survey"]), survey["title"], *[""] * (len(CSV_COLUMNS) - 4), survey["invitations"],
               survey["answers"]]


def chart(report: IssueReport, width: int = 720, bar_height: int = 28) -> dict:
    """Geometry of the horizontal bars: each notice's messages and clicks."""
    left, top = CHART_LEFT, 8
    sums = [(sum(f.messages for f in line.by_channel.values()), sum(f.clicks or 0 for f in line.by_channel.values()))
            for line in report.notices]
    peak = max((max(pair) for pair in sums), default=0) or 1
    rows = []
    for index, (line, (handed, clicks)) in enumerate(zip(report.notices, sums)):
        y = top + index * (bar_height * 2 + 12)
        rows.append({"title": line.title, "label": chart_label(line.title), "y": y, "handed": handed, "clicks": clicks,
                     "handed_width": round((width - left - 80) * handed / peak, 1),
                     "clicks_width": round((width - left - 80) * clicks / peak, 1)})
    return {"width": width, "height": top + len(rows) * (bar_height * 2 + 12) + 8, "left": left,
            "bar_height": bar_height, "rows": rows}


def chart_label(title: str, cells: int = LABEL_CELLS) -> str:
    """``title`` as the chart writes it left of its bars: whole when it fits
    in ``cells`` (a Korean letter two), else cut there, between words when
    it can, with "…": the labels were cut at 24 letters, mid-word and with
    no mark ("…후보사"), and ran out of the chart's left edge."""
    if cell_len(title) <= cells:
        return title
    head = title
    while cell_len(head) > cells - 2:  # "…" as wide as a Korean letter
        head = head[:-1]
    space = head.rfind(" ")  # between words where that keeps most of it
    return (head[:space] if space > len(head) // 2 else head).rstrip() + "…"


def write_issue_report(report: IssueReport, folder: Path, site_name: str) -> tuple[Path, Path]:
    """private/reports/issue-D.html and issue-D.csv."""
    context = dict(report=report, chart=chart(report), type_labels=TYPE_LABELS, channel_labels=CHANNEL_LABELS,
                   site_name=site_name)
    return write_html_and_csv(folder, f"issue-{report.outbox}", "delivery_issue_report.html", context, CSV_COLUMNS,
                              list(csv_rows(report)))


# --- reading the journal (the edge) ----------------------------------------------------

_COUNTS = ", ".join(f"count(*) FILTER (WHERE {condition})" for condition in (  # both backends
    "m.channel = 'email' OR m.state IN ('handed_over', 'sent')",
    "m.channel = 'email' AND m.state = 'sent'",
    "m.channel = 'email' AND m.state = 'failed'",
    "m.channel = 'email' AND m.state IN ('queued', 'sending', 'deferred')",
    "m.state = 'sent' AND b.kind = 'hard'", "m.state = 'sent' AND b.kind = 'soft'",  # bounced once accepted
    "r.status = 'delivered'", "r.status = 'failed'",
    "m.channel = 'sms' AND m.state IN ('handed_over', 'sent')",
))
_JOINS = f"""
    LEFT JOIN (SELECT outbox, subscriber_id, min(kind) AS kind FROM delivery_bounces   -- 'hard' < 'soft'
               WHERE channel = 'email' AND {LATE} GROUP BY 1, 2) AS b
           ON b.outbox = m.outbox AND b.subscriber_id = m.subscriber_id AND m.channel = 'email'
    LEFT JOIN delivery_sms_results AS r
           ON r.outbox = m.outbox AND r.subscriber_id = m.subscriber_id AND m.channel = 'sms'
"""


def journal_rows(store, outbox: str) -> tuple[list, list, dict]:
    """(per-notice rows, per-message rows, titles) of one outbox, for :func:`issue_report`."""
    db, notices = store.db, NOTICES_AS_ROWS[store.backend][0]
    notice_rows = db.execute(f"SELECT j.value, m.channel, m.type, {_COUNTS} FROM delivery_messages AS m"
                             f" CROSS JOIN {notices} {_JOINS} WHERE m.outbox = ? GROUP BY 1, 2, 3",
                             (outbox,)).fetchall()
    message_rows = db.execute(f"SELECT m.channel, m.type, {_COUNTS} FROM delivery_messages AS m {_JOINS}"
                              " WHERE m.outbox = ? GROUP BY 1, 2", (outbox,)).fetchall()
    titles = dict(db.execute("SELECT slug, title FROM delivery_notices WHERE outbox = ?", (outbox,)).fetchall())
    return [tuple(r) for r in notice_rows], [tuple(r) for r in message_rows], titles


def reached_by_email(store, outbox: str) -> set:
    """The readers whose email of ``outbox`` reached them as far as is known:
    the server accepted it and it did not bounce hard (what the survey's
    invitations in it are counted over)."""
    return {row[0] for row in store.db.execute(
        f"SELECT m.subscriber_id FROM delivery_messages AS m {_JOINS} WHERE m.outbox = ? AND m.channel = 'email'"
        " AND m.state = 'sent' AND (b.kind IS NULL OR b.kind <> 'hard')", (outbox,))}
