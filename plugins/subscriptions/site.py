"""The plugin's Pelican side: the static sign-up form
``subscribe/form/index.html`` (no personal data: the same page for everyone),
posting to ``COLLECTOR_URL/subscribe``."""

from __future__ import annotations

from pathlib import Path

from pelican.generators import Generator

from sotong.links import collector_url
from sotong.settings import add_template_folder

from .rules import CHANNEL_LABELS, CONSENT, CONSENT_VERSION, FORM_PATH, GENDER_LABELS, HONEYPOT

TEMPLATES = Path(__file__).parent / "templates"
FORM_SAVE_AS = FORM_PATH + "index.html"


def use_plugin_templates(pelican) -> None:
    add_template_folder(pelican.settings, TEMPLATES)


class SubscribeFormGenerator(Generator):
    def generate_output(self, writer) -> None:
        settings = self.settings
        writer.write_file(
            FORM_SAVE_AS, self.get_template("subscriptions_form"), self.context, relative_urls=settings["RELATIVE_URLS"],
            action=collector_url(settings, "subscribe"), link_url=collector_url(settings, "p/link"),
            audiences=self.context["CONTENT"].audiences, answers={}, errors={}, consent=CONSENT,
            consent_version=CONSENT_VERSION, channel_labels=CHANNEL_LABELS, gender_labels=GENDER_LABELS,
            honeypot=HONEYPOT, preferences=False)


def get_generators(pelican):
    return SubscribeFormGenerator
