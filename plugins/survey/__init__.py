"""Surveys (SPEC §9) and the opinions of consultations (SPEC §16), end to
end: definitions in ``content/surveys/SLUG.yaml`` checked by ``sotong check``
and given to the Content as its ``"surveys"``; form, thank-you and published
results pages in the build; the collector's routes that take answers
(``/surveys/SLUG``); invitations in issue bundles; ``sotong survey results
SLUG`` and ``survey purge``; ``sotong opinions search``, ``export`` and
``purge``.

Settings: ``SURVEY_ENDPOINT`` (default ``COLLECTOR_URL``),
``SURVEY_MIN_ANSWERS`` and ``SURVEY = {"text_max_chars": 2000}``
(:mod:`.config`). Tables: ``survey_*`` (:mod:`.storage`, :mod:`.opinions`,
:mod:`.retention`). Templates: ``templates/survey_*.html``. A forgotten
person's opinions and free-text answers are erased (``person_erasing``,
``person_forgotten``); opinions copied into another store (``sotong db
copy``) are made searchable there (``store_copied``); an issue report counts each survey's answers
(``outbox_figures``); a survey whose days hold no issue day, which invites
nobody, is a warning (``content_warnings``, :mod:`.advice`), and so is a
survey invited to whose file was since renamed or removed, whose address
keeps a page (:mod:`.sent`). A reader's preferences page lists the open
surveys they were invited to and have not answered, with their link
(``reader_page_blocks``).
"""

from pelican import signals

from sotong import signals as sotong_signals
from sotong.cli import add_lazy_commands
from sotong.i18n import _


def add_commands(group) -> None:
    """Receiver of ``cli_commands``: ``sotong survey``, imported when it runs."""
    add_lazy_commands(group, __name__, [
        ("survey", "commands:survey_group", _("Surveys: results of the answers the collector took.")),
        ("opinions", "commands:opinions_group",
         _("Opinions of consultations: search them, export them, purge them past retention."))])


def check_surveys(project):
    """``sotong check``: the settings and the surveys notices name (the survey
    files are checked as the Content's part)."""
    from .config import read_survey_settings
    from .schema import unknown_survey_problems

    problems = read_survey_settings(project.settings)[1]
    return problems + unknown_survey_problems(project.read_notices()[0], project.settings, project.shown)


def content_part(project):
    """Receiver of ``sotong.signals.content_parts``: the surveys, by slug."""
    from .schema import load_surveys

    return {"surveys": load_surveys(project.settings, project.audiences, project.shown)}


def report_figures(project, outbox: str, reached: set | None = None):
    """Receiver of ``sotong.signals.outbox_figures``: each survey invited to in
    the bundle, the readers it invited whose email reached them (``reached``,
    as the journal knows) and those of them who have answered so far."""
    from . import storage
    from .rules import bundle_response

    store = storage.ensure(project.store)
    surveys = project.read_parts()[0].get("surveys", {})
    figures = []
    for slug, invited in storage.invited_in_issue(store, outbox).items():
        invitations, answers = bundle_response(invited, reached, storage.answered_among(store, slug, invited))
        figures.append({"title": surveys[slug].title if slug in surveys else slug, "invitations": invitations,
                        "answers": answers})
    return figures


def register():
    sotong_signals.declare_schemas(f"{__name__}.opinions", f"{__name__}.retention", f"{__name__}.storage")
    sotong_signals.connect_lazily(signals.initialized, f"{__name__}.site:use_plugin_templates")
    sotong_signals.connect_lazily(signals.get_generators, f"{__name__}.site:get_generators")
    sotong_signals.content_check.connect(check_surveys)
    sotong_signals.connect_lazily(sotong_signals.content_warnings, f"{__name__}.advice:survey_warnings")
    sotong_signals.connect_lazily(sotong_signals.content_warnings, f"{__name__}.advice:moved_survey_warnings")
    sotong_signals.content_parts.connect(content_part)
    sotong_signals.cli_commands.connect(add_commands)
    sotong_signals.connect_lazily(sotong_signals.web_routes, f"{__name__}.collector:add_routes")
    sotong_signals.connect_lazily(sotong_signals.message_blocks, f"{__name__}.invitations:block_maker")
    sotong_signals.connect_lazily(sotong_signals.reader_page_blocks, f"{__name__}.collector:reader_page_surveys")
    sotong_signals.outbox_figures.connect(report_figures)
    sotong_signals.connect_lazily(sotong_signals.person_erasing, f"{__name__}.forget:erase_person")
    sotong_signals.connect_lazily(sotong_signals.store_copied, f"{__name__}.opinions:index_copied")
    sotong_signals.connect_lazily(sotong_signals.person_forgotten, f"{__name__}.forget:forget_in_results")
