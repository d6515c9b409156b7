"""The survey plugin's Pelican side: for every survey, the form page
(``surveys/SLUG/index.html``), the thank-you page (``surveys/SLUG/thanks/``)
and, once ``sotong survey results`` has published them, the aggregate results
(``surveys/SLUG/results/``); until then, for a survey that will publish
them, a page at that address saying when they come (the thank-you page
links there, and a link must not lead nowhere). The surveys are the
Content's ``"surveys"`` part."""

from __future__ import annotations

from pathlib import Path

from pelican.generators import Generator

from sotong.links import collector_url, site_url
from sotong.settings import add_template_folder

from .config import survey_settings
from .sent import moved_surveys
from .results import PUBLIC_SAVE_AS, bar_chart, percent, public_json_path, results_from_json

TEMPLATES = Path(__file__).parent / "templates"


def use_plugin_templates(pelican) -> None:
    """On ``initialized``: check the settings and make the templates findable."""
    survey_settings(pelican.settings)
    add_template_folder(pelican.settings, TEMPLATES)


def results_context(results, survey) -> dict:
    return {"results": results, "survey": survey, "percent": percent,
            "charts": {q.id: bar_chart(q) for q in results.questions if q.type != "text"}}


class SurveyGenerator(Generator):
    def generate_output(self, writer) -> None:
        config = survey_settings(self.settings)
        content = self.context["CONTENT"]
        surveys, day = content.part("surveys"), content.day
        relative = self.settings["RELATIVE_URLS"]
        for survey in surveys.values():
            common = {"survey": survey, "relative_urls": relative}
            writer.write_file(
                f"surveys/{survey.slug}/index.html", self.get_template("survey_form"), self.context,
                action=f"{config.endpoint}/surveys/{survey.slug}", token=None, answers={}, errors={},
                open=survey.is_open(day), closed=day > survey.closes, needs_link=True,
                link_again=collector_url(self.settings, "p/link"),  # a lost invitation: the reader's page lists it
                text_max_chars=config.text_max_chars,
                **common)
            writer.write_file(
                f"surveys/{survey.slug}/thanks/index.html", self.get_template("survey_thanks"), self.context,
                results_url=site_url(self.settings, f"surveys/{survey.slug}/results/"),
                home_url=site_url(self.settings, ""), **common)
            if survey.publish_results:
                self._write_results(writer, survey, config.min_answers, common)
        self._write_moved(writer, surveys, relative)

    def _write_moved(self, writer, surveys: dict, relative: bool) -> None:
        """At each invited survey's address no survey holds now, a page that
        sends its reader to the survey renamed, or says it is no longer posted."""
        for slug, (entry, renamed) in moved_surveys(self.settings, surveys).items():
            target = site_url(self.settings, f"surveys/{renamed.slug}/") if renamed else None
            writer.write_file(f"surveys/{slug}/index.html", self.get_template("survey_moved"), self.context,
                              relative_urls=relative, gone_title=entry.title, renamed=renamed, target=target,
                              home_url=site_url(self.settings, ""))

    def _write_results(self, writer, survey, min_answers: int, common: dict) -> None:
        """The survey's published results, or the page saying when they come."""
        published = public_json_path(self.settings, survey.slug)
        if published.is_file():
            results = results_from_json(published.read_text(encoding="utf-8"))
            writer.write_file(PUBLIC_SAVE_AS.format(slug=survey.slug), self.get_template("survey_results_public"),
                              self.context, relative_urls=common["relative_urls"], show_texts=False,
                              **results_context(results, survey))
        else:
            writer.write_file(PUBLIC_SAVE_AS.format(slug=survey.slug), self.get_template("survey_results_pending"),
                              self.context, min_answers=min_answers, home_url=site_url(self.settings, ""), **common)


def get_generators(pelican):
    return SurveyGenerator
