"""The homepage plugin's Pelican side: the signal receivers that prepare the
lists, and the generator that writes the files Pelican does not."""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from urllib.parse import urlsplit

from pelican.cache import FileDataCacher
from pelican.generators import Generator
from pelican.urlwrappers import Category

from sotong.pelican_plugin import write_output_bytes
from sotong.code_ledger import SENT_NOTICES_FILE, TextedCode, read_ledger
from sotong.links import (absolute_site_url, former_codes, notice_file, site_short_codes, texted_codes,
                          texted_destinations)
from sotong.notices import slug_problem
from sotong.settings import add_template_folder

from .addresses import (
    DEPARTMENTS_SAVE_AS, NOT_FOUND_SAVE_AS, SECTION_HTML_SAVE_AS, SECTION_JSON_SAVE_AS,
    department_url, event_save_as, public_url, short_link_save_as,
)
from .config import homepage_options
from .departments import group_by_department
from .section import section_entry, section_notices

TEMPLATES = Path(__file__).parent / "templates"
DEPARTMENT_TEMPLATE = "homepage_department"
GONE_TEMPLATE = "homepage_shortlink_gone"  # a texted code or a sent address whose notice is no longer posted


def use_plugin_templates(pelican) -> None:
    """On ``initialized``: check HOMEPAGE, make the plugin's templates findable
    and let department pages be paginated like category pages."""
    settings = pelican.settings
    homepage_options(settings)
    add_template_folder(settings, TEMPLATES)
    settings["PAGINATED_TEMPLATES"] = {DEPARTMENT_TEMPLATE: None, **settings["PAGINATED_TEMPLATES"]}


def get_generators(pelican):
    """On ``get_generators``: the homepage, department and feed pages."""
    return HomepageGenerator


def prepare_listings(generator) -> None:
    """On ``article_generator_finalized``: a category for every field (so that
    every notice page's category link works, even when the field has no
    current notice), in the order of audiences.yaml; the departments; and the
    addresses each notice page links to."""
    context = generator.context
    known = {category.name: (category, articles) for category, articles in generator.categories}
    generator.categories = [known.get(key) or (Category(key, generator.settings), [])
                            for key in context["FIELD_LABELS"]]
    context["categories"] = generator.categories
    notice_articles = context["NOTICE_ARTICLES"]
    context["DEPARTMENTS"] = group_by_department(
        context["CONTENT"].audiences.departments,
        [article for article in generator.articles if article.slug in notice_articles],
        context.get("expired_articles", ()),
    )
    for article in notice_articles.values():
        article.department_url = department_url(article.department)
        article.ics_url = event_save_as(article.slug) if article.notice.event else None


def label_feed(context, feed) -> None:
    """On ``feed_generated``: field labels instead of keys in category feed
    titles ("성동구 소통 - 문화공연") and in the entries' categories."""
    labels = context.get("FIELD_LABELS") or {}  # a feed another plugin writes may lack them
    prefix = f"{context['SITENAME']} - "
    title = feed.feed["title"]
    if title.startswith(prefix) and title[len(prefix):] in labels:
        feed.feed["title"] = prefix + labels[title[len(prefix):]]
    for item in feed.items:
        item["categories"] = tuple(labels.get(category, category) for category in item["categories"])


class HomepageGenerator(Generator):
    """Writes department pages, the homepage section, event files, short
    links and 404.html, from the context the article generator filled."""

    def generate_output(self, writer) -> None:
        options = homepage_options(self.settings)
        articles = list(self.context["NOTICE_ARTICLES"].values())
        relative = self.settings["RELATIVE_URLS"]
        self._write_departments(writer, relative)
        self._write_section(writer, articles, options["section_size"])
        by_slug = {article.notice.slug: article for article in articles}
        self._write_short_links(writer, by_slug, relative)
        self._write_sent_addresses(writer, by_slug, relative)
        self._write_event_files(articles)
        # Served for any missing path, so its links must not be relative.
        writer.write_file(NOT_FOUND_SAVE_AS, self.get_template("404"), self.context, relative_urls=False)

    def _write_departments(self, writer, relative: bool) -> None:
        writer.write_file(DEPARTMENTS_SAVE_AS, self.get_template("homepage_departments"), self.context,
                          relative_urls=relative)
        template = self.get_template(DEPARTMENT_TEMPLATE)
        for department in self.context["DEPARTMENTS"]:
            articles = list(department.articles)
            writer.write_file(department.save_as, template, self.context, relative_urls=relative,
                              paginated={"articles": articles}, template_name=DEPARTMENT_TEMPLATE,
                              url=department.url, department=department, articles=articles)

    def _write_section(self, writer, articles, size: int) -> None:
        url_of = {article.notice.slug: public_url(self.settings, article.url) for article in articles}
        chosen = section_notices([article.notice for article in articles], self.context["CONTENT"].day, size)
        entries = [section_entry(notice, url_of[notice.slug], self.context["FIELD_LABELS"]) for notice in chosen]
        text = json.dumps([entry.as_json() for entry in entries], ensure_ascii=False, indent=2) + "\n"
        write_output_bytes(self.output_path, SECTION_JSON_SAVE_AS, text.encode("utf-8"))
        writer.write_file(SECTION_HTML_SAVE_AS, self.get_template("homepage_section"), self.context,
                          entries=entries, site_home=public_url(self.settings, ""))

    def _write_short_links(self, writer, by_slug: dict, relative: bool) -> None:
        """Short links only for SMS notices, their only users: each is a new
        folder and file, and creating files is most of a build's time. A
        notice's former code (sotong.links.former_codes) leads to it too:
        a text sent before its code got shorter carries that one. Every code
        ever texted (sotong.links.texted_codes) has its page: the notice it
        was texted for, renamed or not, or, that notice no longer posted, a
        page that says so (never a 404 for a link a resident was sent).
        ``by_slug``: the posted notices' articles by slug."""
        texted = texted_codes(self.settings)
        codes = site_short_codes(self.settings, (article.notice for article in by_slug.values()), texted)
        pages = {code: by_slug[slug] for slug, code in former_codes(codes).items()}
        destinations = texted_destinations(texted, (article.notice for article in by_slug.values()),
                                           self.context["CONTENT"].notices, self.settings["PATH"])
        pages.update({code: by_slug[slug] if slug else texted[code] for code, slug in destinations.items()})
        pages.update({code: by_slug[slug] for slug, code in codes.items()})
        for code, article in pages.items():
            self._write_redirect(writer, short_link_save_as(code), article, relative)

    def _write_sent_addresses(self, writer, by_slug: dict, relative: bool) -> None:
        """A page at the address of every notice sent (the ledger of notices
        bundled, sotong.code_ledger.SENT_NOTICES_FILE) that no notice has
        now: its notice renamed (its slug changed with its file, or by
        ``slug:``), a redirect to its new address (found by its file, or
        its file gone, by its title, as for texted codes); made a draft or
        removed, the page that says it is no longer posted (without its
        title when it was made private since). So a link in an email or
        text already sent is never a 404."""
        sent = read_ledger(self.settings, SENT_NOTICES_FILE)
        if not sent:
            return
        destinations = texted_destinations(sent, (article.notice for article in by_slug.values()),
                                           self.context["CONTENT"].notices, self.settings["PATH"])
        for slug, target in destinations.items():
            if target != slug and slug_problem(slug) is None:  # a slug edited by hand into a path names no page
                save_as = self.settings["ARTICLE_SAVE_AS"].format(slug=slug)
                self._write_redirect(writer, save_as, by_slug[target] if target else sent[slug], relative)

    @functools.cached_property
    def _private_notices(self) -> set[str]:
        """The slugs and files (relative to content/) of the private notices:
        a ledger's entry of one made private since it went out is shown
        without its title, which is not for the site."""
        return {key for notice in self.context["CONTENT"].notices if notice.private
                for key in (notice.slug, notice_file(self.settings["PATH"], notice.source))}

    def _write_redirect(self, writer, save_as: str, article, relative: bool) -> None:
        """At ``save_as``, a page that sends its reader to ``article``'s, or,
        ``article`` a ledger's entry (sotong.code_ledger.TextedCode), one
        that says its notice is no longer posted (untitled, the notice
        made private since)."""
        if isinstance(article, TextedCode):
            private = article.slug in self._private_notices or article.source in self._private_notices
            writer.write_file(save_as, self.get_template(GONE_TEMPLATE), self.context,
                              relative_urls=relative, gone_title="" if private else article.title)
        else:
            writer.write_file(save_as, self.get_template("homepage_shortlink"), self.context, relative_urls=relative,
                              article=article, target=public_url(self.settings, article.url))

    def _write_event_files(self, articles) -> None:
        """Calendar files, kept in Pelican's content cache (when it is on) by a
        digest of what they are made from: icalendar takes about 1 ms a file
        (and a quarter second to import, so only builds that make one import it)."""
        from sotong.ics import calendar_inputs, event_calendar

        base = absolute_site_url(self.settings)
        absolute = {"SITEURL": base} if base else None
        uid_domain = urlsplit(base).hostname if base else "sotong.invalid"
        cache = FileDataCacher(self.settings, "homepage-events", self.settings["CACHE_CONTENT"],
                               self.settings["LOAD_CONTENT_CACHE"])
        for article in articles:
            if article.notice.event:
                url = public_url(absolute, article.url) if absolute else None
                digest = hashlib.sha256(calendar_inputs(article.notice, url, uid_domain).encode()).digest()
                cached = cache.get_cached_data(article.slug)
                if cached is None or cached[0] != digest:
                    cached = (digest, event_calendar(article.notice, url, uid_domain))
                    cache.cache_data(article.slug, cached)
                write_output_bytes(self.output_path, event_save_as(article.slug), cached[1])
        cache.save_cache()
