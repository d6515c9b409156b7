"""The annual e-communication report (``sotong report --year Y``): from the
journal, by month, by department and by category, the notices sent and the
deliveries (one notice to one subscriber on one channel), split into email,
SMS and LMS, and what the texts cost (each at the price the journal recorded
when it was handed over, a text recorded before prices were at today's
SMS_PRICE or LMS_PRICE, which the report then says; a message's price
shared equally among its notices, so the lines of a table add up to the
year's cost; shown in whole won that add up too); written as
private/reports/Y.html and Y.csv.

The counting is a pure function of the journal's aggregates; files are
written at the edge.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from sotong import spreadsheet
from sotong.atomic import replacing
from sotong.i18n import N_, _
from sotong.sms import Prices

TYPES = ("EMAIL", "SMS", "LMS")
TYPE_LABELS = {"EMAIL": "이메일", "SMS": "SMS(단문)", "LMS": "LMS(장문)"}
UNKNOWN = "(기록 없음)"
# the CSV's header and its tables' names, in the staff's language (the page's words)
CSV_COLUMNS = (N_("Table"), N_("Item"), N_("Notices"), N_("Email deliveries"), N_("SMS deliveries"),
               N_("LMS deliveries"), N_("Deliveries"), N_("Text cost (won)"))
TABLE_WORDS = {"month": N_("by month"), "department": N_("by department"), "category": N_("by field"),
               "total": N_("total")}
TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class Line:
    """One line of a table: the distinct notices sent, the deliveries by
    type, and the messages by type and price (a message of k notices counts
    1/k for each; price None: not recorded)."""

    item: str
    slugs: set = field(default_factory=set)
    by_type: dict = field(default_factory=lambda: dict.fromkeys(TYPES, 0))
    messages: dict = field(default_factory=dict)  # (type, price or None) -> messages
    won: int = 0  # what its texts cost as shown, in whole won (see :func:`apportioned`)

    @property
    def notices(self) -> int:
        return len(self.slugs)

    @property
    def deliveries(self) -> int:
        return sum(self.by_type.values())

    def add(self, slug: str, message_type: str, count: int, messages: float, price: float | None = None) -> None:
        self.slugs.add(slug)
        self.by_type[message_type] += count
        self.messages[message_type, price] = self.messages.get((message_type, price), 0.0) + messages

    def cost(self, prices: Prices) -> float:
        """What this line's texts cost, in won: each at its recorded price, one without at ``prices``."""
        return sum(share * (prices.of(message_type) if price is None else price)
                   for (message_type, price), share in self.messages.items())


@dataclass
class AnnualReport:
    year: int
    months: list  # twelve Lines, January first
    departments: list  # Lines, most deliveries first
    categories: list
    total: Line
    prices: Prices = Prices()  # the settings' now: the price of a text that has none recorded
    unpriced: dict = field(default_factory=lambda: {"SMS": 0, "LMS": 0})  # texts with no price recorded, by type
    recorded_prices: dict = field(default_factory=lambda: {"SMS": [], "LMS": []})  # the prices recorded, each once

    def tables(self):
        return (("month", "월별", self.months), ("department", "부서별", self.departments),
                ("category", "분야별", self.categories))


def annual_report(year: int, aggregates, prices: Prices = Prices()) -> AnnualReport:
    """Count ``(month "YYYY-MM", type, slug, department, category, category_label,
    deliveries, messages, price)`` rows (``messages``: the sum of 1/k over the
    messages of k notices that held it; ``price``: what each cost as recorded,
    None where none was, priced at ``prices``). A notice counts once in each
    line it was delivered in, and once in the year's total. A field is one
    line under its latest label (a label renamed in audiences.yaml in the
    middle of the year made two lines of one field, each outbox counted
    under the label it recorded)."""
    months = [Line(f"{m}월") for m in range(1, 13)]
    departments: dict[str, Line] = {}
    categories: dict[str, Line] = {}
    total = Line("합계")
    priced: dict[str, set] = {"SMS": set(), "LMS": set()}
    unpriced = {"SMS": 0.0, "LMS": 0.0}
    labels: dict[str, tuple] = {}  # a field's key -> (month, label) of its latest label
    for month, message_type, slug, department, category, category_label, count, messages, price in aggregates:
        if message_type in priced and price is None:
            unpriced[message_type] += messages  # a text's shares add up to one
        elif message_type in priced:
            priced[message_type].add(price)
        department = department or UNKNOWN
        field_key = category or category_label or UNKNOWN
        labels[field_key] = max(labels.get(field_key, ("", "")), (month, category_label or category or UNKNOWN))
        for line in (months[int(month[5:7]) - 1],
                     departments.setdefault(department, Line(department)),
                     categories.setdefault(field_key, Line(field_key)),
                     total):
            line.add(slug, message_type, count, messages, price)
    for field_key, line in categories.items():
        line.item = labels[field_key][1]

    def ranked(lines: dict) -> list:
        return sorted(lines.values(), key=lambda line: (-line.deliveries, line.item))

    report = AnnualReport(year, months, ranked(departments), ranked(categories), total, prices,
                          {kind: round(texts) for kind, texts in unpriced.items()},
                          {kind: sorted(found) for kind, found in priced.items()})
    total.won = whole_won(total.cost(prices))
    for _key, _title, lines in report.tables():
        for line, won in zip(lines, apportioned([line.cost(prices) for line in lines], total.won)):
            line.won = won
    return report


def whole_won(amount: float) -> int:
    """``amount`` rounded half up, as money is (Python's round() takes 94.5 to 94)."""
    return math.floor(round(amount, 6) + 0.5)


def apportioned(amounts: list[float], total: int) -> list[int]:
    """``amounts`` (a table's costs, which add up to the year's) in whole
    won that add up to ``total``, the year's cost in whole won: each rounded
    down, and the won left over given to those with the largest fractions
    (rounded each, the two halves of a 27-won LMS shared by two departments
    made 14 + 14; and the table's own sum, rounded, could miss the year's by
    a won of float error)."""
    floors = [math.floor(round(amount, 6)) for amount in amounts]
    left_over = total - sum(floors)
    by_fraction = sorted(range(len(amounts)), key=lambda index: (floors[index] - amounts[index], index))
    for index in by_fraction[:left_over]:
        floors[index] += 1
    return floors


def month_chart(report: AnnualReport, width: int = 720, height: int = 300) -> dict:
    """Geometry of the stacked bar chart of deliveries by month (SVG units)."""
    left, bottom, top = 64, 40, 16
    plot_height = height - bottom - top
    peak = max((line.deliveries for line in report.months), default=0) or 1
    step = (width - left - 8) / 12
    bars = []
    for index, line in enumerate(report.months):
        y = top + plot_height
        parts = []
        for message_type in TYPES:
            h = plot_height * line.by_type[message_type] / peak
            y -= h
            parts.append({"type": message_type, "y": round(y, 1), "height": round(h, 1)})
        bars.append({"label": line.item, "x": round(left + index * step + step * 0.2, 1),
                     "width": round(step * 0.6, 1), "parts": parts, "total": line.deliveries})
    ticks = [{"value": round(peak * f), "y": round(top + plot_height * (1 - f), 1)} for f in (0, 0.5, 1)]
    return {"width": width, "height": height, "left": left, "baseline": top + plot_height,
            "bars": bars, "ticks": ticks, "peak": peak}


def write_report(report: AnnualReport, folder: Path, site_name: str) -> tuple[Path, Path]:
    """private/reports/Y.html and Y.csv."""
    lines = [(name, line) for name, _, table in report.tables() for line in table] + [("total", report.total)]
    rows = [[_(TABLE_WORDS[name]), line.item, line.notices, line.by_type["EMAIL"], line.by_type["SMS"], line.by_type["LMS"],
             line.deliveries, line.won] for name, line in lines]
    return write_html_and_csv(folder, str(report.year), "delivery_annual_report.html",
                              dict(report=report, chart=month_chart(report), types=TYPES, type_labels=TYPE_LABELS,
                                   site_name=site_name), CSV_COLUMNS, rows)


def write_html_and_csv(folder: Path, stem: str, template: str, context: dict, columns, rows) -> tuple[Path, Path]:
    """``folder/STEM.html`` rendered from one of the plugin's templates and
    ``folder/STEM.csv`` (UTF-8 with BOM, so Excel reads it; ``columns``
    marked for the catalog, written in the staff's language), each replaced whole."""
    folder.mkdir(parents=True, exist_ok=True)
    html_path, csv_path = folder / f"{stem}.html", folder / f"{stem}.csv"
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
    with replacing(html_path) as out:
        out.write(environment.get_template(template).render(**context).encode("utf-8"))
    buffer = io.StringIO()
    writer = spreadsheet.writer(buffer, lineterminator="\r\n")
    writer.writerow([_(column) for column in columns])
    writer.writerows(rows)
    with replacing(csv_path) as out:
        out.write(buffer.getvalue().encode("utf-8-sig"))
    return html_path, csv_path
