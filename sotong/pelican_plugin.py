"""Sotong's core as a Pelican plugin: Pelican reads the project's
:class:`sotong.content.Content`, so it sees exactly what ``sotong check``
validated, and its generators and templates find it in the context.

Listed first in PLUGINS as ``sotong.pelican_plugin``. It owns ``core``, the
plugin's state for one Pelican run: the Content (loaded by ``sotong build``,
or here when Pelican runs by itself) and, under ``sotong build``, the
:class:`sotong.build_state.BuildState` its writer keeps pages by. It also

- puts into every generator's context ``CONTENT``, ``AUDIENCES``,
  ``FIELD_LABELS`` and ``BUILD_DAY`` (the Content's day), and, once the
  notices are read, ``NOTICE_ARTICLES``: slug -> article of every notice
  with a page (listed, unlisted, expired or scheduled), which the feature
  generators read instead of filtering Pelican's lists themselves;
- keeps drafts and private notices (SPEC §16) out of everything and gives notices without the ``homepage``
  channel an unlisted page (Pelican's "hidden" status), so links always work;
- under ``sotong devserver`` only, writes each draft's page beside the
  preview's site, never into it (``write_drafts_for_preview``);
- leaves a private notice's image out of output/ (it goes inside the emails),
  unless a notice on the site shows it too;
- moves notices that expired before the build day out of the lists (they keep
  their pages);
- finds the notice or page a ``{filename}`` link names by its file's path
  in either Unicode form (a Mac's name, decomposed; one typed on Windows,
  composed), and copies no static file for a linked path that is none
  (Pelican cut a file's name at the ";" of ``&amp;`` and warned);
- makes Pelican's content cache safe against a killed build (pelican_cache);
- computes each article's address once per build (content_urls);
- takes the articles of unchanged notices as the last build made them (article_cache);
- writes feeds with the site's absolute address, in development too, and
  a feed without entries with a fixed time (feed_time), not the build's;
  an entry's id keeps the day its address was first given out, whatever
  becomes of the notice's date (feed_ids);
- tells the BuildState every file written into the slot (pages, feeds, the
  theme's and static files), so that the build deletes the rest by that set
  of paths, and makes a copy that fails (a full disk) fail the build.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import html
import os
import re
import shutil
import unicodedata
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from feedgenerator import get_tag_uri
from markdown import Markdown
from pelican import signals, utils
from pelican.contents import Content as PelicanContent
from pelican.readers import MarkdownReader
from pelican.utils import sanitised_join
from pelican.writers import Writer

from .article_cache import keep_articles, save_kept_articles, take_kept_articles
from .compiled_templates import keep_compiled_templates
from .content_urls import compute_urls_once, forget_urls
from .dates import event_time, korean_date
from .feed_time import steady
from .images import content_image_size
from .pelican_cache import make_crash_safe
from .pelican_shortcuts import take_shortcuts
from .problems import SotongError  # the modules of notices and markup: imported when Pelican runs
from .settings import DEFAULTS, add_defaults

if TYPE_CHECKING:
    from .content import Content


class CorePlugin:
    """What the core plugin serves one Pelican run: the Content, and the
    BuildState when ``sotong build`` runs Pelican (None otherwise)."""

    def __init__(self):
        self.content: Content | None = None
        self.state = None
        self._given = False

    @contextmanager
    def building(self, content: Content, state):
        """Serve ``content`` and ``state`` to the Pelican run inside."""
        self.content, self.state, self._given = content, state, True
        try:
            yield
        finally:
            self.content, self.state, self._given = None, None, False

    def start(self, settings: dict) -> Content:
        """On Pelican's start: the Content given by ``building``, or, when
        Pelican runs by itself, the project's, loaded now."""
        if not self._given:
            from .content import load_content
            from .project import Project

            project = Project(settings.get("SOTONG_SETTINGS_FILE", "pelicanconf.py"), settings=settings)
            self.content = load_content(project, strict=False)
        return self.content


core = CorePlugin()


class NoticeReader(MarkdownReader):
    """Reads ``content/notices/**.md`` as notices, other Markdown as pages,
    from the Content when it holds the file as it is now (and its HTML, when
    the Content's reading rendered it: sotong.rendering)."""

    file_extensions = ["md"]

    def read(self, source_path):
        self._source_path = source_path
        # One Markdown instance per reader, reset between files: building a
        # new one per file (as Pelican's reader does) costs more than converting.
        if getattr(self, "_md", None) is None:
            self._md = Markdown(**text_markdown(self.settings))
        notices_dir = os.path.join(self.settings["PATH"], self.settings.get("NOTICES_DIR", DEFAULTS["NOTICES_DIR"]), "")
        if os.path.abspath(source_path).startswith(notices_dir):
            return self._read_notice(source_path)
        return self._read_page(source_path)

    def _read_notice(self, source_path):
        from .markup import markdown_html
        from .notices import read_notice

        # A notice saved since the Content was loaded is read again (Pelican's cache keeps what is read here).
        notice = core.content.notice_at(source_path)
        rendered = core.content.html.get(os.path.abspath(source_path)) if notice is not None else None
        if notice is None:
            notice, problems = read_notice(source_path, core.content.audiences, self.settings["PATH"])
            if notice is None:
                raise SotongError(problems)
        content = str(rendered if rendered is not None else markdown_html(notice.body, self._md))
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
        from .content import read_page
        from .markup import markdown_html

        page = core.content.pages.get(os.path.abspath(source_path))
        rendered = core.content.html.get(os.path.abspath(source_path)) if page is not None else None
        if page is None:
            page, problems = read_page(Path(source_path), source_path, Path(self.settings["PATH"]))
            if page is None:
                raise SotongError(problems)
        metadata = {key: self.process_metadata(key, str(value)) for key, value in page.metadata.items()}
        return str(rendered if rendered is not None else markdown_html(page.body, self._md)), metadata


_META = "markdown.extensions.meta"


def text_markdown(settings: dict) -> dict:
    """What this reader makes its Markdown converter of: a copy of the
    settings' MARKDOWN with the extensions Pelican's MarkdownReader adds to
    it (those of ``extension_configs``), except its meta, which took a text's
    first lines for Pelican's metadata when they read "Key: value": a notice
    beginning "Tel: 02-2286-5000" lost the line on its page, not in its
    emails (a notice's header is its YAML, read by Sotong). sotong.rendering
    renders with it what the build will, and the notice cache keys by it."""
    markdown = NoticeReader({**settings, "MARKDOWN": copy.deepcopy(settings["MARKDOWN"])}).settings["MARKDOWN"]
    markdown["extensions"] = [extension for extension in markdown["extensions"] if extension != _META]
    markdown["extension_configs"].pop(_META, None)
    return markdown


def pelican_links(settings: dict) -> re.Pattern:
    """Pelican's own pattern of the links it reads in a text's HTML
    (``{filename}...``, ``{index}...``, ``|tag|...`` in an href, a src, a
    cite: INTRASITE_LINK_REGEX), as its articles and pages use it."""
    return PelicanContent._get_intrasite_link_regex(SimpleNamespace(settings=settings))


def _pelican_status(notice) -> str:
    if not notice.published or notice.private:
        return "draft"  # DRAFT_SAVE_AS is empty: no page
    return "published" if notice.has("homepage") else "hidden"


class KeepingWriter(Writer):
    """Pelican's writer, except that under ``sotong build`` it leaves a page
    as it is when the build's BuildState says the slot already holds it as
    this build would make it, and tells the BuildState which pages it kept
    and which it made, with their keys: a page made for one notice (written
    with ``article=``: the notice's page, its short link) by the notice's
    stamp, any other page and feed by what it shows (sotong.page_keys) and
    the days of its entries' ids. Feed entries keep their titles as written,
    and their ids when a notice's date is corrected (sotong.feed_ids)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._kept_paths: set[str] = set()
        self._page_keys = None
        self._feed_ids = None

    def feed_ids(self):
        if self._feed_ids is None:
            from .feed_ids import FeedIds

            state = core.state
            self._feed_ids = FeedIds(self.settings, state.feed_entries if state is not None else None)
        return self._feed_ids

    def page_keys(self):
        if self._page_keys is None:
            from .page_keys import PageKeys

            state = core.state
            self._page_keys = PageKeys(self.settings, state.source_stamp, state.template_names, state.known_shapes)
        return self._page_keys

    def write_file(self, name, template, context, *args, **kwargs):
        article, state = kwargs.get("article"), core.state
        if state is None or not name:
            return super().write_file(name, template, context, *args, **kwargs)
        if article is None:
            return super().write_file(name, _KeepingTemplate(template, self), context, *args, **kwargs)
        path = sanitised_join(self.output_path, name)
        key = state.notice_key(article.source_path)
        if self._keeps(path, key):
            return None
        written = super().write_file(name, template, context, *args, **kwargs)
        state.made(path, key)
        return written

    def write_feed(self, elements, context, path=None, url=None, feed_type="atom", override_output=False,
                   feed_title=None):
        state = core.state
        if state is None or not path:
            return super().write_feed(elements, context, path, url, feed_type, override_output, feed_title)
        full = sanitised_join(self.output_path, path)
        shown = elements[: self.settings["FEED_MAX_ITEMS"]]
        key = self.page_keys().digest(shown, [self.feed_ids().day(item) for item in shown], context.get("SITEURL"),
                                      context.get("FEED_DOMAIN"), path, url, feed_type, feed_title)
        if self._keeps(full, key):
            return None
        feed = super().write_feed(elements, context, path, url, feed_type, override_output, feed_title)
        state.made(full, key)
        return feed

    def _keeps(self, path: str, key, record: frozenset = frozenset()) -> bool:
        """Keep the page at ``path`` if the slot holds it made from ``key``."""
        previous = core.state.previous(path)
        if key is None or previous != (key, record):
            return False
        core.state.keep(path, key, record)
        return True

    def render_or_keep(self, template, context: dict) -> str:
        """The page ``template`` makes with ``context``, or "" when the slot
        holds it as made (then it is not written). Its record: the lists the
        template left untouched and what it read of notices (page_keys)."""
        from .page_keys import watch_lists
        from .template_reads import recording, watch

        keys, state = self.page_keys(), core.state
        path = sanitised_join(self.output_path, context["output_file"])
        names = keys.varying(template, context)
        previous = state.previous(path)
        if previous is not None and self._keeps(path, keys.key(template, context, names, previous[1]), previous[1]):
            self._kept_paths.add(path)
            return ""
        watch(template.environment)
        watched = watch_lists(context, names)
        with recording() as reads:
            text = template.render(context)
        record = frozenset(reads).union(name for name, values in watched.items() if not values.touched)
        state.made(path, keys.key(template, context, names, record), record)
        return text

    def _open_w(self, filename, encoding, override=False):
        if filename in self._kept_paths:
            self._kept_paths.discard(filename)
            return open(os.devnull, "w", encoding=encoding)
        if core.state is not None:
            core.state.wrote(filename)
        return super()._open_w(filename, encoding, override)

    def _create_new_feed(self, feed_type, feed_title, context):
        """Pelican's feed, timed as every feed of the site when it has no entry (sotong.feed_time)."""
        return steady(super()._create_new_feed(feed_type, feed_title, context))

    def _add_item_to_the_feed(self, feed, item):
        """Pelican's feed entry, titled as written: Pelican reads a title as
        HTML (it strips tags and decodes entities), a notice's is plain text;
        its id's day the first its address was given out (sotong.feed_ids);
        its text's addresses without blanks, as on the page (a file named
        한파 쉼터 포스터.png: :func:`sotong.markup.blanks_in_addresses_escaped`)."""
        from .markup import blanks_in_addresses_escaped

        super()._add_item_to_the_feed(feed, item)
        entry = feed.items[-1]
        entry["title"] = item.title
        for key in ("description", "content"):
            if entry.get(key):
                entry[key] = blanks_in_addresses_escaped(entry[key])
        entry["unique_id"] = get_tag_uri(self.urljoiner(self.site_url, item.url), self.feed_ids().day(item))


class _KeepingTemplate:
    """A template whose pages the keeping writer renders or keeps."""

    def __init__(self, template, writer: KeepingWriter):
        self.template, self.writer = template, writer
        self.name = template.name

    def render(self, context: dict) -> str:
        return self.writer.render_or_keep(self.template, context)


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


def write_output_bytes(output_path: str, save_as: str, data: bytes) -> None:
    """Write a file a generator makes without a template (JSON, a calendar,
    a feed it builds itself) at ``save_as`` under ``output_path``. Under
    ``sotong build`` a file the slot already holds with the same bytes (by
    their digest) is kept, not written."""
    path, state = sanitised_join(output_path, save_as), core.state
    key = hashlib.sha256(data).hexdigest()[:32] if state is not None else None
    if state is not None and state.previous(path) == (key, frozenset()):
        state.keep(path, key)
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as out:
        out.write(data)
    if state is not None:
        state.made(path, key)


def copy_output_file(source: str, destination: str) -> None:
    """Copy ``source`` to ``destination`` in the site being built, and tell
    the build (sotong.build_state) it wrote it. Pelican's ``copy_file``
    (its theme's files, its static files), which this replaces, logged a
    failed copy as a warning and went on: on a full disk the site was
    switched in with a picture cut short. Here the error stops the build,
    naming the file that could not be written (shutil names the source)."""
    try:
        shutil.copyfile(source, destination)
    except OSError as exc:
        if exc.filename2 is not None:
            exc.filename = exc.filename2
        raise
    if core.state is not None:
        core.state.wrote(destination)


def note_static_files(generators) -> None:
    """On ``all_generators_finalized``, under ``sotong build``: every static
    file is part of the site being built, whether Pelican copies it, links
    it (STATIC_CREATE_LINKS) or finds its copy up to date (STATIC_CHECK_IF_MODIFIED)."""
    if core.state is None:
        return
    for generator in generators:
        for static in getattr(generator, "staticfiles", ()):
            core.state.wrote(os.path.join(generator.output_path, static.save_as))


def leave_out_unfound_static_links(generator) -> None:
    """On ``page_generator_finalized``, before the static files are listed:
    Pelican reads the path of a ``{static}`` link to a file named with an
    ``&`` (``a&b.svg``, which the page's HTML writes ``a&amp;b.svg``) cut at
    its ";" (``a&amp``), and warned in English, on every build, that it
    could not read that file (it links the file all the same). A linked
    path that is no file is left out of the files to copy: check has
    refused each link to a file that is not there."""
    links, folder = generator.context.get("static_links", set()), generator.settings["PATH"]
    links -= {link for link in links if not os.path.isfile(os.path.join(folder, link))}


def link_either_form(generators) -> None:
    """On ``all_generators_finalized``, before any page is written: Pelican
    finds a ``{filename}`` link's notice or page by its file's path, so
    one typed on Windows (its Korean composed, NFC) found no file named on
    a Mac (decomposed, NFD), and the page showed the link as written,
    although the notice's page has the one address (its slug is composed):
    each notice or page is found by its path in either form
    (sotong.links.text_file_stored, as check finds it)."""
    generated = generators[0].context["generated_content"]
    for path, content in list(generated.items()):
        for form in ("NFC", "NFD"):
            generated.setdefault(unicodedata.normalize(form, path), content)


def _notice_of_the_build(source: str):
    """The served Content's notice of ``source`` as the file is now, or None."""
    return core.content.notice_at(source) if core.content is not None else None


def keep_unchanged_articles(generator):
    """On ``article_generator_init``, under ``sotong build``: the articles of
    unchanged notices are taken as the last build made them (article_cache)."""
    if core.state is not None:
        keep_articles(generator, core.content, core.state.record["inputs"])


def use_keeping_writer(pelican):
    return SotongWriter


def add_reader(readers):
    readers.reader_classes["md"] = NoticeReader


def retire_expired(generator):
    """Expired notices leave the lists and feeds but keep their pages;
    scheduled ones (dated after the build day) keep their pages and join the
    lists and feeds from their day on (SPEC §2). Also records
    ``NOTICE_ARTICLES``, every notice's article, before the lists split, and
    ``urgent_articles``, the current urgent ones in the list's order."""
    day = generator.context["CONTENT"].day
    generator.context["NOTICE_ARTICLES"] = {
        article.notice.slug: article for article in generator.articles + generator.hidden_articles
        if getattr(article, "notice", None) is not None}  # ARTICLE_PATHS may hold other Markdown
    current, expired, scheduled = [], [], []
    for article in generator.articles:
        notice = getattr(article, "notice", None)
        if notice is not None and not notice.due_on(day):
            scheduled.append(article)
        else:
            (expired if notice is not None and notice.expired_on(day) else current).append(article)
    generator.articles = current
    # the index's urgent box reads these, not every current notice: its first page is keyed by them alone
    generator.context["urgent_articles"] = [article for article in current if getattr(article, "notice", None) is not None
                                            and article.notice.urgent]
    generator.hidden_articles.extend(expired + scheduled)
    generator.context["expired_articles"] = sorted(expired, key=lambda a: a.date, reverse=True)


def leave_unpublished_files_out(generator):
    """SPEC §16 and §2: a private notice's image travels inside its emails,
    and a draft appears nowhere, but Pelican copies every file under
    STATIC_PATHS and every file any text links with {static} or {attach}.
    A file that only drafts and private notices (Pelican's drafts) show, as
    their image or in their text, is left out of the static files."""
    contents = _texts(generator.context)
    unpublished = set().union(*(_files_shown(c) for c in contents if c.status == "draft"))
    if unpublished:  # most builds have none: the other texts need not be read
        unpublished -= set().union(*(_files_shown(c) for c in contents if c.status != "draft"))
        generator.staticfiles[:] = [f for f in generator.staticfiles
                                    if Path(f.relative_source_path).as_posix() not in unpublished]


def _texts(context: dict) -> list:
    """Every notice's and page's article of the build, drafts too."""
    return [content for key in ("articles", "hidden_articles", "drafts", "pages", "hidden_pages", "draft_pages")
            for content in context.get(key, ())]


def describe_file_links(generators) -> None:
    """On ``all_generators_finalized``, before any page or feed is written:
    each link of a notice's or page's text to a file of content/ says the
    file's kind and size (sotong.body_files.described_file_links), once per
    article for its page, the feeds and every other output of its text.
    Not when the text is read: Pelican's reader cache and the kept articles
    hold the text by its notice's bytes, and a file replaced by a bigger one
    would leave its old size on the page."""
    from .body_files import described_file_links

    context = generators[0].context
    for text in _texts(context):
        text._content = described_file_links(text._content, text.source_path, context["PATH"])


def _files_shown(content) -> set:
    """The files of content/ a notice or page shows: its image and attachments, and what its text links with
    {static} or {attach}."""
    notice = getattr(content, "notice", None)
    if notice is None:
        return content.get_static_links()
    return content.get_static_links() | ({notice.image} if notice.image else set()) | set(notice.attachments)


def write_drafts_for_preview(generator, writer):
    """On ``article_writer_finalized``, under ``sotong devserver`` only (its
    build alone sets ``DRAFTS_PREVIEW_PATH``): each public draft notice's page
    as it would look once published, at its own address under that folder,
    with the files its page shows, so that staff can look at it before it
    goes out; its canonical link is that address. The folder is beside the
    preview's site, never in it, and emptied first; ``sotong build`` sets
    none, so a draft appears nowhere (SPEC §2)."""
    folder = generator.settings.get("DRAFTS_PREVIEW_PATH")
    if not folder:
        return
    shutil.rmtree(folder, ignore_errors=True)
    pages = Writer(folder, settings=generator.settings)
    for draft in generator.drafts:
        notice = getattr(draft, "notice", None)
        if notice is None or notice.published or notice.private:
            continue
        address = draft.url_format
        url = generator.settings["ARTICLE_URL"].format(**address)
        at_its_address = copy.copy(draft)  # Pelican's address of a draft is DRAFT_URL (""): its canonical link said "/"
        at_its_address.override_url = url
        pages.write_file(generator.settings["ARTICLE_SAVE_AS"].format(**address), generator.get_template(draft.template),
                         generator.context, article=at_its_address, category=draft.category, blog=True, url=url)
        for shown in _files_shown(draft):
            source = Path(generator.path, shown)
            if source.is_file():
                Path(folder, shown).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, Path(folder, shown))


def add_context(generator):
    """On ``generator_init``: the Content and what templates read of it."""
    content = core.content
    generator.context.update(CONTENT=content, AUDIENCES=content.audiences,
                             FIELD_LABELS=content.audiences.fields, BUILD_DAY=content.day)


def add_sotong_defaults(pelican):
    """When Pelican reads the settings itself (``pelican`` run alone), add what
    ``sotong`` commands add: the project folder is the one holding content/.
    Then serve the Content (``core.start``).

    Also makes the field labels and SITEURL Jinja globals, so that templates
    import the theme's macros without context: Jinja then builds the macro
    module once, not once for each of thousands of pages; gives every
    template the ``korean_date`` and ``event_time`` filters (sotong.dates) and the ``image_size``
    one (sotong.images: an image's width and height); and keeps the
    compiled templates between builds when the content cache is on."""
    settings = pelican.settings
    if "SOTONG_PROJECT_DIR" not in settings:
        add_defaults(settings, Path(settings["PATH"]).parent)
    content = core.start(settings)
    settings["JINJA_GLOBALS"] = {**settings.get("JINJA_GLOBALS", {}),
                                 "FIELD_LABELS": content.audiences.fields,
                                 "SITEURL": settings.get("SITEURL", "")}
    settings["JINJA_FILTERS"] = {**settings.get("JINJA_FILTERS", {}), "korean_date": korean_date,
                                 "event_time": event_time, "image_size": content_image_size}
    escape_in_templates(settings)
    keep_compiled_templates(settings)


def escape_in_templates(settings: dict) -> None:
    """Every template escapes what it shows, unless it is Markup: Jinja's
    autoescaping on, whatever the settings file says. HTML made elsewhere
    (Pelican's content and summaries, which are plain strings) is shown
    through the ``sanitized`` filter, which cleans it with nh3 and marks it
    safe; no template uses ``|safe``, ``|striptags`` or Markup itself."""
    from .markup import sanitized, scrollable_tables, text_with_whole_numbers

    settings["JINJA_ENVIRONMENT"] = {**settings.get("JINJA_ENVIRONMENT", {}), "autoescape": True,
                                     "finalize": _finalize_watching(settings.get("JINJA_ENVIRONMENT", {}).get("finalize"))}
    settings["JINJA_FILTERS"] = {**settings.get("JINJA_FILTERS", {}), "sanitized": sanitized,
                                 "scrollable_tables": scrollable_tables, "whole_numbers": text_with_whole_numbers}


def _finalize_watching(finalize):
    """Jinja's ``finalize`` that also notes a notice printed whole (template_reads)."""
    from .template_reads import shown, shown_then

    if finalize is None or finalize is shown:
        return shown
    return functools.partial(shown_then, finalize)


def register():
    make_crash_safe(_notice_of_the_build)
    utils.copy_file = copy_output_file
    compute_urls_once()
    take_shortcuts()
    take_kept_articles()
    signals.initialized.connect(forget_urls)
    signals.initialized.connect(add_sotong_defaults)
    signals.get_writer.connect(use_keeping_writer)
    signals.readers_init.connect(add_reader)
    signals.generator_init.connect(add_context)
    signals.article_generator_init.connect(keep_unchanged_articles)
    signals.article_generator_finalized.connect(save_kept_articles)
    signals.article_generator_pretaxonomy.connect(retire_expired)
    signals.static_generator_finalized.connect(leave_unpublished_files_out)
    signals.all_generators_finalized.connect(note_static_files)
    signals.all_generators_finalized.connect(link_either_form)
    signals.all_generators_finalized.connect(describe_file_links)
    signals.page_generator_finalized.connect(leave_out_unfound_static_links)
    signals.article_writer_finalized.connect(write_drafts_for_preview)
