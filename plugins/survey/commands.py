"""``sotong survey results SLUG``: tally the answers and write the results
files (see :mod:`.results` for where, and what is public)."""

from __future__ import annotations

from pathlib import Path

import click
import jinja2

from sotong.cli import settings_option
from sotong.problems import SotongError, did_you_mean
from sotong.project import Project

from . import storage
from .config import survey_settings
from .results import (
    PUBLIC_SAVE_AS, private_folder, public_json_path, results_to_json, tally, unpublished_reason, write_csv,
)
from .schema import load_surveys
from .site import TEMPLATES, results_context


@click.group("survey")
def survey_group():
    """Surveys: results of the answers the collector took."""


@survey_group.command("results")
@click.argument("slug")
@settings_option
def results_command(project: Project, slug: str):
    """Write the results of survey SLUG (counts, shares, response rate, charts)."""
    settings = project.settings
    surveys = load_surveys(settings, project.audiences, project.shown)
    survey = surveys.get(slug)
    if survey is None:
        raise SotongError([f'no survey "{slug}" in content/surveys/{did_you_mean(slug, surveys)}; '
                           f'known: {", ".join(surveys) or "none"}'])
    store = storage.ensure(project.store)
    results = tally(survey, storage.responses(store, slug), storage.invited_count(store, slug))
    folder = private_folder(settings, slug)
    folder.mkdir(parents=True, exist_ok=True)
    environment = _environment(settings)
    context = results_context(results, survey)
    (folder / "results.html").write_text(
        environment.get_template("survey_results_private.html").render(show_texts=True, **context), encoding="utf-8")
    write_csv(folder / "results.csv", results)
    rate = f"{results.rate * 100:.1f}%" if results.rate is not None else "no invitations recorded"
    click.echo(f"{slug}: {results.responses} answers, response rate {rate}; wrote {project.shown(folder)}/results.html and results.csv")
    if not survey.publish_results:
        return
    reason = unpublished_reason(survey, results.responses, project.today(), survey_settings(settings).min_answers)
    if reason:
        public_json_path(settings, slug).unlink(missing_ok=True)  # published too early by an older version
        click.echo(f"not published (publish_results: true): {reason}")
        return
    public = results.public()
    public_json_path(settings, slug).write_text(results_to_json(public), encoding="utf-8")
    page = Path(settings["OUTPUT_PATH"]) / PUBLIC_SAVE_AS.format(slug=slug)
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(environment.get_template("survey_results_public.html").render(
        **settings, show_texts=False, **results_context(public, survey)), encoding="utf-8")
    click.echo(f"published (publish_results: true): {project.shown(page)}, kept by every build")


def _environment(settings: dict) -> jinja2.Environment:
    """The site theme's templates with the plugin's, as Pelican finds them."""
    theme = Path(settings["THEME"]) / "templates"
    return jinja2.Environment(loader=jinja2.FileSystemLoader([str(TEMPLATES), str(theme)]),
                              autoescape=True, **{k: v for k, v in settings.get("JINJA_ENVIRONMENT", {}).items()
                                                  if k != "extensions"})

