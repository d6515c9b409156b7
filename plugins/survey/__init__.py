"""Surveys (SPEC §9), end to end: definitions in ``content/surveys/SLUG.yaml``
checked by ``sotong check``; form, thank-you and published results pages in
the build; the collector's routes that take answers; invitations in issue
bundles; and ``sotong survey results SLUG``.

Settings: ``SURVEY_ENDPOINT`` (default ``COLLECTOR_URL``) and
``SURVEY = {"text_max_chars": 2000}``.
"""

from pelican import signals

from sotong import signals as sotong_signals

from . import storage
from .collector import add_routes
from .commands import add_commands
from .config import read_survey_settings
from .invitations import block_maker
from .schema import read_surveys
from .site import get_generators, use_plugin_templates


def check_surveys(project):
    """``sotong check``: the settings and every survey file."""
    problems = read_survey_settings(project.settings)[1]
    return problems + read_surveys(project.settings, project.audiences, project.shown)[1]


def report_figures(project, outbox: str):
    """Receiver of ``sotong.signals.outbox_figures``: each survey invited to in
    the bundle, its invitations there and its answers so far (all issues)."""
    invited = storage.invitations_of_issue(storage.ensure(project.store), outbox)
    surveys = read_surveys(project.settings, project.audiences, project.shown)[0]
    return [{"title": surveys[slug].title if slug in surveys else slug, "invitations": count,
             "answers": storage.response_count(project.store, slug)} for slug, count in invited.items()]


def register():
    signals.initialized.connect(use_plugin_templates)
    signals.get_generators.connect(get_generators)
    sotong_signals.content_check.connect(check_surveys)
    sotong_signals.cli_commands.connect(add_commands)
    sotong_signals.web_routes.connect(add_routes)
    sotong_signals.message_blocks.connect(block_maker)
    sotong_signals.outbox_figures.connect(report_figures)
