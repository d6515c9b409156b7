"""Surveys (SPEC §9), end to end: definitions in ``content/surveys/SLUG.yaml``
checked by ``sotong check``; form, thank-you and published results pages in
the build; the collector's routes that take answers; invitations in issue
bundles; and ``sotong survey results SLUG``.

Settings: ``SURVEY_ENDPOINT`` (default ``COLLECTOR_URL``) and
``SURVEY = {"text_max_chars": 2000}``.
"""

from pelican import signals

from sotong import signals as sotong_signals
from sotong.cli import add_lazy_command
from sotong.i18n import _

from . import storage


def add_commands(group) -> None:
    """Receiver of ``cli_commands``: ``sotong survey``, imported when it runs."""
    add_lazy_command(group, "survey", f"{__name__}.commands:survey_group",
                     _("Surveys: results of the answers the collector took."))
    add_lazy_command(group, "opinions", f"{__name__}.commands:opinions_group",
                     _("Opinions of consultations (SPEC §16): search them, export them, purge them past retention."))


def add_routes(app) -> None:
    """Receiver of ``web_routes``: the routes that take answers."""
    from .collector import add_routes as add_survey_routes

    add_survey_routes(app)


def block_maker(context):
    """Receiver of ``message_blocks``: the survey invitations."""
    from .invitations import block_maker as invitation_blocks

    return invitation_blocks(context)


def use_plugin_templates(pelican) -> None:
    from .site import use_plugin_templates as use_templates

    use_templates(pelican)


def get_generators(pelican):
    from .site import get_generators as survey_generators

    return survey_generators(pelican)


def check_surveys(project):
    """``sotong check``: the settings, every survey file, and the surveys notices name."""
    from .config import read_survey_settings
    from .schema import read_surveys, unknown_survey_problems

    problems = read_survey_settings(project.settings)[1]
    problems += unknown_survey_problems(project.read_notices()[0], project.settings, project.shown)
    return problems + read_surveys(project.settings, project.audiences, project.shown)[1]


def report_figures(project, outbox: str):
    """Receiver of ``sotong.signals.outbox_figures``: each survey invited to in
    the bundle, its invitations there and its answers so far (all issues)."""
    from .schema import read_surveys

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
