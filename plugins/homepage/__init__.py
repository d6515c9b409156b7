"""homepage: the public site around the notices (SPEC §8).

Beside the pages Pelican writes with the theme (index, notices, categories,
archives, feeds), this plugin writes the list of departments and a page per
department, the homepage section (``section/latest.html`` and
``latest.json``), an iCalendar file for each event notice, the short links
used in SMS, and ``404.html``; it gives every field of audiences.yaml a
category page and Korean labels in the feeds.

Settings: ``HOMEPAGE = {"section_size": 10}``, checked by ``sotong check``
(:mod:`.checks`; short link codes cannot collide, sotong.links gives each
its own). Templates: ``templates/homepage_*.html``. No tables, commands or
routes.
"""

from pelican import signals

from sotong import signals as sotong_signals


def register():
    generator = f"{__name__}.generator"
    sotong_signals.connect_lazily(signals.initialized, f"{generator}:use_plugin_templates")
    sotong_signals.connect_lazily(signals.article_generator_finalized, f"{generator}:prepare_listings")
    sotong_signals.connect_lazily(signals.get_generators, f"{generator}:get_generators")
    sotong_signals.connect_lazily(signals.feed_generated, f"{generator}:label_feed")
    sotong_signals.connect_lazily(sotong_signals.content_check, f"{__name__}.checks:check_content")
