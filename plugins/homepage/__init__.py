"""homepage: the public site around the notices (SPEC §8).

Beside the pages Pelican writes with the theme (index, notices, categories,
archives, feeds), this plugin writes a page per department, the homepage
section (``section/latest.html`` and ``latest.json``), an iCalendar file for
each event notice, the short links used in SMS, and ``404.html``; it gives
every field of audiences.yaml a category page and Korean labels in the feeds,
and ``sotong check`` reports notices whose short links collide.

Settings: ``HOMEPAGE = {"section_size": 10}``.
"""

from pelican import signals

from sotong import signals as sotong_signals

from .generator import HomepageGenerator, label_feed, prepare_listings, use_plugin_templates
from .checks import check_content


def get_generators(pelican):
    return HomepageGenerator


def register():
    signals.initialized.connect(use_plugin_templates)
    signals.article_generator_finalized.connect(prepare_listings)
    signals.get_generators.connect(get_generators)
    signals.feed_generated.connect(label_feed)
    sotong_signals.content_check.connect(check_content)
