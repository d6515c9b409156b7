"""The plugin's Pelican side: the static sign-up form
``subscribe/form/index.html`` (no personal data: the same page for everyone),
posting to ``COLLECTOR_URL/subscribe`` and linking, for staff, the dong
offices' poster (:mod:`.poster`); and, in the site's pages (the
privacy page), ``{SUBSCRIBE_RATE 기간}`` written as SUBSCRIBE_RATE's window
in words ("1시간"), how long the client address's keyed hash is kept."""

from __future__ import annotations

from pathlib import Path

from pelican.generators import Generator

from sotong.links import collector_url
from sotong.settings import add_template_folder

from .poster import PosterGenerator
from .rules import CHANNEL_LABELS, FORM_PATH, GENDER_LABELS, HONEYPOT, POSTER_PATH, consent, rate_window

TEMPLATES = Path(__file__).parent / "templates"
FORM_SAVE_AS = FORM_PATH + "index.html"
RATE_WINDOW_WORDS = "{SUBSCRIBE_RATE 기간}"  # in a page: how long SUBSCRIBE_RATE counts a request


def use_plugin_templates(pelican) -> None:
    add_template_folder(pelican.settings, TEMPLATES)


class SubscribeFormGenerator(Generator):
    def generate_output(self, writer) -> None:
        settings = self.settings
        text, version = consent(settings)
        writer.write_file(
            FORM_SAVE_AS, self.get_template("subscriptions_form"), self.context, relative_urls=settings["RELATIVE_URLS"],
            action=collector_url(settings, "subscribe"), link_url=collector_url(settings, "p/link"),
            audiences=self.context["CONTENT"].audiences, answers={}, errors={}, consent=text,
            consent_version=version, channel_labels=CHANNEL_LABELS, gender_labels=GENDER_LABELS,
            honeypot=HONEYPOT, preferences=False, poster_path=POSTER_PATH)


def write_rate_window(generator) -> None:
    """Receiver of ``page_generator_finalized``: each page's
    ``{SUBSCRIBE_RATE 기간}`` written as the window in words, so that the
    privacy page says how long the hash is kept as the collector keeps it."""
    window = rate_window(generator.settings)
    for page in (*generator.pages, *generator.hidden_pages, *generator.draft_pages):
        if RATE_WINDOW_WORDS in page._content:
            page._content = page._content.replace(RATE_WINDOW_WORDS, window)


def get_generators(pelican):
    return SubscribeFormGenerator, PosterGenerator
