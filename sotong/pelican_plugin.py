"""Sotong's core as a Pelican plugin: notices and pages are read through the
notice schema, so Pelican sees exactly what ``sotong check`` validated.

Listed first in PLUGINS as ``sotong.pelican_plugin``. It also

- keeps drafts and private notices (SPEC §16) out of everything and gives notices without the ``homepage``
  channel an unlisted page (Pelican's "hidden" status), so links always work;
- leaves a private notice's image out of output/ (it goes inside the emails),
  unless a notice on the site shows it too;
- moves notices that expired before the build day out of the lists (they keep
  their pages);
- puts the audiences (field labels, dongs, departments) into the templates;
- makes Pelican's content cache safe against a killed build (pelican_cache);
- writes feeds with the site's absolute address, in development too.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

from markdown import Markdown
from pelican import signals
from pelican.readers import MarkdownReader
from pelican.writers import Writer

from .i18n import _
from .pelican_cache import make_crash_safe
from .problems import SotongError  # the modules of notices and markup: imported when Pelican runs
from .settings import DEFAULTS, add_defaults, today

PAGE_KEYS = ("title", "slug", "summary", "status", "template")


class NoticeReader(MarkdownReader):
    """Reads ``content/notices/**.md`` as notices, other Markdown as pages."""

    file_extensions = ["md"]

    def read(self, source_path):
        self._source_path = source_path
        # One Markdown instance per reader, reset between files: building a
        # new one per file (as Pelican's reader does) costs more than converting.
        if getattr(self, "_md", None) is None:
            self._md = Markdown(**self.settings["MARKDOWN"])
        notices_dir = os.path.join(self.settings["PATH"], self.settings.get("NOTICES_DIR", DEFAULTS["NOTICES_DIR"]), "")
        if os.path.abspath(source_path).startswith(notices_dir):
            return self._read_notice(source_path)
        return self._read_page(source_path)

    def _read_notice(self, source_path):
        from .markup import markdown_html
        from .notice_cache import file_stamp
        from .notices import read_notice

        # `sotong build` has just read and checked every notice: reuse them, unless
        # saved since (SOTONG_CHECKED_STAMPS: before reading; Pelican's cache keeps what is read here).
        path = os.path.abspath(source_path)
        notice = self.settings.get("SOTONG_CHECKED_NOTICES", {}).get(path)
        if notice is None or self.settings["SOTONG_CHECKED_STAMPS"].get(path) != file_stamp(path):
            notice, problems = read_notice(source_path, _audiences(self.settings), self.settings["PATH"])
            if notice is None:
                raise SotongError(problems)
        content = str(markdown_html(notice.body, self._md))
        metadata = {
            "title": notice.title,
            "date": notice.date,
            "slug": notice.slug,
            "category": self.process_metadata("category", notice.category),
            "summary": html.escape(notice.plain_summary()),
            "status": _pelican_status(notice),
            "department": notice.department,
            "notice": notice,
        }
        return content, metadata

    def _read_page(self, source_path):
        from .markup import markdown_html
        from .notices import split_front_matter

        text = Path(source_path).read_text(encoding="utf-8")
        source, problems = split_front_matter(text, source_path)
        if source is None:
            raise SotongError(problems)
        metadata = {key: self.process_metadata(key, str(value)) for key, value in (source.front.data or {}).items()}
        return str(markdown_html(source.body, self._md)), metadata


def page_problems(path: Path, shown: str):
    """Check a static page: front matter with a title and only known keys."""
    from .notices import split_front_matter
    from .problems import Problem, did_you_mean

    source, problems = split_front_matter(path.read_text(encoding="utf-8"), shown)
    if source is None:
        return problems
    data = source.front.data or {}
    if not isinstance(data, dict):
        return [Problem(shown, 2, _("the front matter must be lines of 'key: value'"))]
    for key in data:
        if key not in PAGE_KEYS:
            problems.append(Problem(shown, source.front.line(key), _('unknown key "{key}"{suggestion}; pages take {page_keys}').format(
                key=key, suggestion=did_you_mean(key, PAGE_KEYS), page_keys=", ".join(PAGE_KEYS))))
    if not data.get("title"):
        problems.append(Problem(shown, 1, _("title is required; add a line such as  title: 개인정보 처리방침")))
    return problems


def _pelican_status(notice) -> str:
    if not notice.published or notice.private:
        return "draft"  # DRAFT_SAVE_AS is empty: no page
    return "published" if notice.has("homepage") else "hidden"


_audiences_cache: dict = {}


def _audiences(settings):
    from .audiences import load_audiences

    path = settings.get("AUDIENCES_PATH", DEFAULTS["AUDIENCES_PATH"])
    mtime = Path(path).stat().st_mtime_ns
    cached = _audiences_cache.get(path)
    if cached is None or cached[0] != mtime:
        cached = _audiences_cache[path] = (mtime, load_audiences(path))
    return cached[1]


class KeepingWriter(Writer):
    """Pelican's writer, except that it leaves a page made for one notice
    (written with ``article=``: the notice's page, its short link) as it is
    when ``sotong build`` says the build slot already holds it, made from the
    same notice and the same inputs (SOTONG_UNCHANGED_NOTICES, absolute source
    paths), and the page is still as that build left it (SOTONG_SLOT_PAGES:
    its stamp). Kept pages are recorded in SOTONG_KEPT_PAGES, pages made
    for notices in SOTONG_NOTICE_PAGES. Feed entries keep their titles as written."""

    def write_file(self, name, template, context, *args, **kwargs):
        article = kwargs.get("article")
        if article is None or "SOTONG_NOTICE_PAGES" not in self.settings:
            return super().write_file(name, template, context, *args, **kwargs)
        path = os.path.join(self.output_path, name)
        if self._holds_as_made(path, article):
            self.settings["SOTONG_KEPT_PAGES"].add(path)
            return None
        written = super().write_file(name, template, context, *args, **kwargs)
        self.settings["SOTONG_NOTICE_PAGES"].add(path)
        return written

    def _holds_as_made(self, path: str, article) -> bool:
        from .notice_cache import file_stamp

        if os.path.abspath(article.source_path) not in self.settings["SOTONG_UNCHANGED_NOTICES"]:
            return False
        made = self.settings["SOTONG_SLOT_PAGES"].get(os.path.relpath(path, self.output_path))
        try:
            return made is not None and file_stamp(path) == made
        except OSError:
            return False

    def _add_item_to_the_feed(self, feed, item):
        """Pelican's feed entry, titled as written: Pelican reads a title as
        HTML (it strips tags and decodes entities), a notice's is plain text."""
        super()._add_item_to_the_feed(feed, item)
        feed.items[-1]["title"] = item.title


class SotongWriter(KeepingWriter):
    """The keeping writer, whose feeds use the site's absolute address
    (links.absolute_site_url: SITEURL, or FEED_DOMAIN in development): with
    an empty SITEURL Pelican would write a feed id "/" and entry ids
    "tag:None,...", which are not valid Atom."""

    def write_feed(self, elements, context, *args, **kwargs):
        from .links import absolute_site_url

        base = absolute_site_url(self.settings)
        if base and context.get("SITEURL") != base:
            context = {**context, "SITEURL": base}
        return super().write_feed(elements, context, *args, **kwargs)


def use_keeping_writer(pelican):
    return SotongWriter


def add_reader(readers):
    readers.reader_classes["md"] = NoticeReader


def retire_expired(generator):
    """Expired notices leave the lists and feeds but keep their pages;
    scheduled ones (dated after the build day) keep their pages and join the
    lists and feeds from their day on (SPEC §2)."""
    day = today(generator.settings)
    current, expired, scheduled = [], [], []
    for article in generator.articles:
        notice = getattr(article, "notice", None)
        if notice is not None and not notice.due_on(day):
            scheduled.append(article)
        else:
            (expired if notice is not None and notice.expired_on(day) else current).append(article)
    generator.articles = current
    generator.hidden_articles.extend(expired + scheduled)
    generator.context["expired_articles"] = sorted(expired, key=lambda a: a.date, reverse=True)


def leave_private_images_out(generator):
    """SPEC §16: the image of a private notice travels inside its emails; the
    static files Pelican would copy lose it, unless a public notice shows it."""
    context = generator.context
    notices = [getattr(article, "notice", None) for key in ("articles", "hidden_articles", "drafts")
               for article in context.get(key, ())]
    public = {n.image for n in notices if n is not None and not n.private}
    private = {n.image for n in notices if n is not None and n.private and n.image} - public
    generator.staticfiles[:] = [f for f in generator.staticfiles
                                if Path(f.relative_source_path).as_posix() not in private]


def add_context(generator):
    audiences = _audiences(generator.settings)
    generator.context["AUDIENCES"] = audiences
    generator.context["FIELD_LABELS"] = audiences.fields
    generator.context["BUILD_DAY"] = today(generator.settings)


def add_sotong_defaults(pelican):
    """When Pelican reads the settings itself (``pelican`` run alone), add what
    ``sotong`` commands add: the project folder is the one holding content/.

    Also makes the field labels and SITEURL Jinja globals, so that templates
    import the theme's macros without context: Jinja then builds the macro
    module once, not once for each of thousands of pages."""
    settings = pelican.settings
    if "SOTONG_PROJECT_DIR" not in settings:
        add_defaults(settings, Path(settings["PATH"]).parent)
    settings["JINJA_GLOBALS"] = {**settings.get("JINJA_GLOBALS", {}),
                                 "FIELD_LABELS": _audiences(settings).fields,
                                 "SITEURL": settings.get("SITEURL", "")}
    escape_in_templates(settings)


def escape_in_templates(settings: dict) -> None:
    """Every template escapes what it shows, unless it is Markup: Jinja's
    autoescaping on, whatever the settings file says. HTML made elsewhere
    (Pelican's content and summaries, which are plain strings) is shown
    through the ``sanitized`` filter, which cleans it with nh3 and marks it
    safe; no template uses ``|safe``, ``|striptags`` or Markup itself."""
    from .markup import sanitized

    settings["JINJA_ENVIRONMENT"] = {**settings.get("JINJA_ENVIRONMENT", {}), "autoescape": True}
    settings["JINJA_FILTERS"] = {**settings.get("JINJA_FILTERS", {}), "sanitized": sanitized}


def register():
    make_crash_safe()
    signals.initialized.connect(add_sotong_defaults)
    signals.get_writer.connect(use_keeping_writer)
    signals.readers_init.connect(add_reader)
    signals.article_generator_init.connect(add_context)
    signals.page_generator_init.connect(add_context)
    signals.article_generator_pretaxonomy.connect(retire_expired)
    signals.static_generator_finalized.connect(leave_private_images_out)
