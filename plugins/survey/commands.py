"""The survey plugin's commands: ``sotong survey results SLUG`` (tally the
answers and write the results files; see :mod:`.results` for where, and what
is public) and ``survey purge`` (:mod:`.retention`); ``sotong opinions
search``, ``export`` and ``purge`` (:mod:`.opinions`)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import click
import jinja2

from sotong import spreadsheet
from sotong.atomic import replacing_text
from sotong.audiences import resolve_key
from sotong.cli import settings_option
from sotong.dates import korean_date
from sotong.i18n import _
from sotong.options import DAY, FileName, Text, WholeNumber, refuse_reversed_days
from sotong.problems import SotongError, did_you_mean, suggested
from sotong.project import Project

from . import opinions, retention, storage
from .config import survey_settings
from .results import (
    PUBLIC_SAVE_AS, percent, private_folder, public_json_path, results_to_json, tally, unpublished_reason, write_csv,
)
from .schema import known_surveys, slug_of_title
from .site import TEMPLATES, results_context


@click.group("survey", help=_("Surveys: results of the answers the collector took."))
def survey_group():
    pass


@survey_group.command("results", help=_("Write the results of survey SLUG (counts, shares, response rate, charts)."))
@click.argument("slug")
@settings_option
def results_command(project: Project, slug: str):
    settings = project.settings
    surveys = project.part("surveys")
    survey = surveys.get(slug)
    if survey is None:
        raise SotongError([_unknown_survey(slug, surveys)])
    store = storage.ensure(project.existing_store)
    results = retention.kept_results(store, slug) or tally(survey, storage.responses(store, slug),
                                                           *storage.invitation_figures(store, slug))
    folder = private_folder(settings, slug)
    folder.mkdir(parents=True, exist_ok=True)
    environment = _environment(settings)
    context = results_context(results, survey)
    (folder / "results.html").write_text(
        environment.get_template("survey_results_private.html").render(show_texts=True, **context), encoding="utf-8")
    write_csv(folder / "results.csv", results)
    rate = percent(results.rate) if results.rate is not None else _("no invitations recorded")
    click.echo(_("{slug}: {responses} answers, response rate {rate}; wrote {folder}/results.html and results.csv").format(
        slug=slug, responses=results.responses, rate=rate, folder=project.shown(folder)))
    if survey.kind == "consultation":
        _participants_by_dong_and_age(project, survey, folder)
    if not survey.publish_results:
        return
    reason = unpublished_reason(survey, results.responses, project.today(), survey_settings(settings).min_answers)
    if reason:
        public_json_path(settings, slug).unlink(missing_ok=True)  # published too early by an older version
        click.echo(_("not published (publish_results: true): {reason}").format(reason=reason))
        return
    public = results.public()
    # each replaced whole: the page is on the live site, and every build reads the JSON
    with replacing_text(public_json_path(settings, slug)) as out:
        out.write(results_to_json(public))
    page = Path(settings["OUTPUT_PATH"]) / PUBLIC_SAVE_AS.format(slug=slug)
    with replacing_text(page, mode=0o666) as out:
        out.write(environment.get_template("survey_results_public.html").render(
            **settings, show_texts=False, **results_context(public, survey)))
    click.echo(_("published (publish_results: true): {page}, kept by every build").format(
        page=project.shown(page)))


@survey_group.command("purge", help=_("Delete the answers of surveys closed over a year ago (the privacy page), keeping their results as counts."))
@click.option("--dry-run", is_flag=True, help=_("Count what would be destroyed; change nothing."))
@settings_option
def survey_purge_command(project: Project, dry_run: bool):
    surveys, today = project.part("surveys"), project.today()
    store = retention.ensure(project.existing_store)
    if dry_run:
        due = retention.due(store, surveys, today)
        for slug, count in due.items():
            click.echo(_("{slug}: {count} responses would be deleted (closed {closes}, kept to {last_day}); their counts would stay").format(
                slug=slug, count=count, closes=surveys[slug].closes, last_day=retention.last_kept_day(surveys[slug].closes)))
        if not due and not _without_definition(project, store, surveys, dry_run=True):
            click.echo(_("No survey's answers are past their retention (a year after the survey closed)."))
        return
    retention.record_closes(store, surveys)
    purged = retention.purge(store, surveys, today)
    for slug, count in purged.items():
        click.echo(_("{slug}: {count} responses deleted (closed {closes}, kept to {last_day}); their counts stay").format(
            slug=slug, count=count, closes=surveys[slug].closes, last_day=retention.last_kept_day(surveys[slug].closes)))
    # the private results.html listed the free-text answers: written again from the counts
    for slug in _pages_from_before_the_purge(project, store, surveys):
        click.get_current_context().invoke(results_command, slug=slug, settings_path=str(project.settings_path))
    if not purged and not _without_definition(project, store, surveys, dry_run=False):
        click.echo(_("No survey's answers are past their retention (a year after the survey closed)."))


def _pages_from_before_the_purge(project: Project, store, surveys: dict) -> list[str]:
    """The surveys purged whose private results.html was written before the
    purge, so may list free-text answers: those just purged, and those of a
    run stopped (or failed) between a purge and the page's rewrite. Such a
    page of a survey whose file is gone is deleted (nothing to count by):
    the others are returned, to be written again from the counts kept."""
    stale = []
    for slug, purged_at in sorted(retention.purged_times(store).items()):
        page = private_folder(project.settings, slug) / "results.html"
        if not page.is_file() or page.stat().st_mtime > purged_at:
            continue
        if slug in surveys:
            stale.append(slug)
        else:
            _delete_page(project, slug)
    return stale


def _delete_page(project: Project, slug: str) -> None:
    page = private_folder(project.settings, slug) / "results.html"
    if page.is_file():
        page.unlink()
        click.echo(_("{page}: it listed the free-text answers of survey {slug}, purged since; deleted").format(
            page=project.shown(page), slug=slug))


def _without_definition(project: Project, store, surveys: dict, dry_run: bool) -> dict[str, int]:
    """The purge of the surveys whose file was removed (none to count their
    answers by): each one past its retention is purged (or, on a dry run,
    counted), with its private results.html, which lists the free-text
    answers; the others are named with the day they will be. Returns
    slug -> responses deleted (or that would be)."""
    closes = retention.closes_without_definition(store, surveys)
    today, counted = project.today(), {}
    for slug, closed in closes.items():
        last_day = retention.last_kept_day(closed)
        if today <= last_day:
            click.echo(_("{slug}: content/surveys/{slug}.yaml is gone; its answers will be deleted after {last_day}, with no counts kept (put the file back to keep them)").format(
                slug=slug, last_day=last_day), err=True)
        elif dry_run:
            counted[slug] = storage.response_count(store, slug)
            click.echo(_("{slug}: {count} responses would be deleted (content/surveys/{slug}.yaml is gone; kept to {last_day}); no counts would be kept").format(
                slug=slug, count=counted[slug], last_day=last_day))
    if dry_run:
        return counted
    purged = retention.purge_without_definition(store, surveys, today)
    for slug, count in purged.items():
        page = private_folder(project.settings, slug) / "results.html"
        page.unlink(missing_ok=True)
        click.echo(_("{slug}: {count} responses deleted (content/surveys/{slug}.yaml is gone; kept to {last_day}); no counts kept, and {page}, which listed the free-text answers, deleted").format(
            slug=slug, count=count, last_day=retention.last_kept_day(closes[slug]), page=project.shown(page)))
    for slug in retention.purged_without_definition(store, surveys, today):  # a run stopped before its page went
        _delete_page(project, slug)
    return purged


def _participants_by_dong_and_age(project: Project, survey, folder: Path) -> None:
    """A consultation's participants by dong and age band (SPEC §16), printed
    and written to ``by_dong_and_age.csv`` beside the results (private)."""
    counts = opinions.by_dong_and_age(opinions.ensure(project.existing_store), survey.slug)
    dongs = project.audiences.dongs
    click.echo(_("{title} ({department}): participants by dong and age band").format(
        title=survey.policy.title, department=survey.policy.department))
    with open(folder / "by_dong_and_age.csv", "w", encoding="utf-8-sig", newline="") as out:
        writer = spreadsheet.writer(out)
        writer.writerow((_("Dong"), _("Age band"), _("Participants")))
        for (dong, band), count in counts.items():
            writer.writerow((dongs.get(dong, dong or ""), band or "", count))
            click.echo(f"  {dongs.get(dong, dong or '-')}  {band or '-'}  {count}")


def _environment(settings: dict) -> jinja2.Environment:
    """The site theme's templates with the plugin's, as Pelican finds them,
    with the ``korean_date`` filter Pelican's templates have."""
    theme = Path(settings["THEME"]) / "templates"
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader([str(TEMPLATES), str(theme)]),
                                     autoescape=True, **{k: v for k, v in settings.get("JINJA_ENVIRONMENT", {}).items()
                                                         if k != "extensions"})
    environment.filters["korean_date"] = korean_date
    return environment


@click.group("opinions", help=_("Opinions of consultations: search them, export them, purge them past retention."))
def opinions_group():
    pass


@opinions_group.command("search", help=_("Print the opinions that hold WORDS (any part of a word: 버스 finds 마을버스; "
                                                "a particle at its end left out: 정류장을 finds 정류장이), newest first."))
@click.argument("text", metavar=_("WORDS"), type=Text())
@click.option("--policy", "slug", metavar="SLUG", help=_("Only the consultation with this slug."))
@click.option("--department", metavar=_("DEPARTMENT"), type=Text(), help=_("Only policies of this department."))
@click.option("--from", "since", type=DAY, help=_("Only opinions given on or after this day (YYYY-MM-DD)."))
@click.option("--to", "until", type=DAY, help=_("Only opinions given on or before this day (YYYY-MM-DD)."))
@click.option("--limit", type=WholeNumber(min=0), default=100, show_default=True,
              help=_("Print the newest N opinions found; 0: all of them."))
@settings_option
def opinions_search_command(project: Project, text: str, slug: str | None, department: str | None,
                            since: dt.date | None, until: dt.date | None, limit: int):
    if not text.strip():
        raise click.UsageError(_("TEXT is empty; give a word to look for, e.g. sotong opinions search 버스"))
    refuse_reversed_days(since, until)
    store = opinions.ensure(project.existing_store)
    if slug is not None:
        _known_policy(project, store, slug)
    if department is not None:
        department = _known_department(project, store, department)
    text = unicodedata.normalize("NFC", text.strip())
    found = opinions.search(store, text, slug, department, limit or None, since=since, until=until)
    dongs = project.audiences.dongs  # 왕십리2동, as staff know it (a dong gone from audiences.yaml: its key)
    for opinion in found:
        click.echo(f"{opinion.day}  {opinion.slug}  {opinion.department}  {opinion.subscriber_id}  "
                   f"{dongs.get(opinion.dong, opinion.dong or '-')}  {opinion.age_band or '-'}  {' '.join(opinion.opinion.split())}")
    if opinions.searched(text) != text:  # what was looked for, so the 정류장이 found for 정류장을 is no surprise
        click.echo(_('{count} opinions with "{word}" ({typed} without its particle)').format(
            count=len(found), word=opinions.searched(text), typed=text), err=True)
    else:
        click.echo(_("{count} opinions").format(count=len(found)), err=True)
    if not found and len(words := text.split()) > 1:  # 임기 정류장: looked for as one phrase, not each word
        click.echo(_('"{text}" is looked for as written, its words side by side in that order; to find each word '
                     'anywhere, search for one: sotong opinions search {word}').format(text=text, word=words[0]), err=True)


@opinions_group.command("export", help=_("Write the opinions on consultation SLUG to FILE.csv (for Excel)."))
@click.argument("slug")
@click.argument("file", metavar="FILE.csv", type=FileName(_("private/opinions-{day}.csv")))
@settings_option
def opinions_export_command(project: Project, slug: str, file: str):
    store = opinions.ensure(project.existing_store)
    _known_policy(project, store, slug)
    if public := project.published(file):
        raise SotongError([_("{file}: the opinions name their participants and may not be written under {public}/ (it is published on the web); write them under private/, e.g. private/opinions.csv").format(
            file=file, public=public)])
    survey = project.part("surveys").get(slug)  # gone from content/surveys/: its questions by id
    count = opinions.export(store, slug, file, dongs=project.audiences.dongs,
                            questions={q.id: q.text for q in survey.questions} if survey else None)
    click.echo(_("{slug}: wrote {count} opinions to {file}").format(slug=slug, count=count, file=file))


@opinions_group.command("purge", help=_("Erase the participant of opinions past retention (5 years; the privacy page), keeping text and counts."))
@click.option("--dry-run", is_flag=True, help=_("Count what would be destroyed; change nothing."))
@settings_option
def opinions_purge_command(project: Project, dry_run: bool):
    start = opinions.retention_start(project.today())
    store = opinions.ensure(project.existing_store)
    if dry_run:
        click.echo(_("{count} opinions received before {start} (kept {retention_years} years) would no longer name their participant").format(
            count=opinions.purgeable(store, project.today()), start=start, retention_years=opinions.RETENTION_YEARS))
        return
    count = opinions.purge(store, project.today())
    click.echo(_("{count} opinions received before {start} (kept {retention_years} years) no longer name their participant (id, gender, dong, age band); their text and the counts by dong and age band stay").format(
        count=count, start=start, retention_years=opinions.RETENTION_YEARS))


def _unknown_survey(slug: str, surveys: dict) -> str:
    """The message for ``sotong survey results SLUG`` naming no survey: the slug
    to run with when SLUG is a survey's title (or words of one), and each
    survey's slug with its title."""
    titles = {name: surveys[name].title for name in sorted(surveys)}
    suggestion = did_you_mean(slug, titles) or suggested(slug_of_title(slug, titles))
    return _('no survey "{slug}" in content/surveys/{suggestion}; known: {known}').format(
        slug=slug, suggestion=suggestion, known=known_surveys(titles))


def _known_policy(project: Project, store, slug: str) -> None:
    """SotongError unless ``slug`` is a consultation of content/surveys/ or
    one whose opinions the store keeps (its file may be gone: the opinions
    stay five years), so that a slug written wrong is not "0 opinions"."""
    surveys = project.part("surveys")
    kept = dict(store.db.execute("SELECT DISTINCT slug, policy FROM survey_opinions").fetchall())  # slug: policy
    kept.update({name: survey.policy.title for name, survey in surveys.items() if survey.kind == "consultation"})
    if slug in kept:
        return
    # staff write the consultation's title, or its policy's, in Korean (통장협의회 조례): the slug it is is named
    titles = {name: surveys[name].title if name in surveys else "" for name in sorted(kept)}
    meant = slug_of_title(slug, titles) or slug_of_title(slug, kept)
    raise SotongError([_('no consultation "{slug}" in content/surveys/ nor among the stored opinions{suggestion}; known: {known}').format(
        slug=slug, suggestion=did_you_mean(slug, kept) or suggested(meant),
        known=known_surveys({name: title or kept[name] for name, title in titles.items()}) if kept
        else _("none (kind: consultation)"))])


def _known_department(project: Project, store, department: str) -> str:
    """``department`` as audiences.yaml or a stored opinion writes it (in any
    Unicode form, as a Mac's terminal may paste it); SotongError for another."""
    kept = {row[0] for row in store.db.execute("SELECT DISTINCT department FROM survey_opinions")}
    known = sorted(kept | set(project.audiences.departments))
    found = resolve_key(department, known)
    if found is None:
        raise SotongError([_('unknown department "{department}"{suggestion}; use one of departments in audiences.yaml').format(
            department=department, suggestion=did_you_mean(department, known))])
    return found

