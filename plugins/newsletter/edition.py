"""The web edition of the newsletter: a Pelican generator writing
``newsletter/D/index.html`` per issue, the archive ``newsletter/index.html``
and the Atom feed ``newsletter/feed.atom.xml`` of issues; and the page of
an edition sent (:mod:`.sent`) that holds no notice now, which says so."""

from __future__ import annotations

import datetime as dt
from html import escape

from feedgenerator import Atom1Feed
from pelican.generators import Generator

from sotong.feed_time import steady
from sotong.pelican_plugin import write_output_bytes
from sotong.links import absolute_site_url
from sotong.notices import SEOUL

from .config import newsletter_settings
from .issues import Issue, archived_issues, group_by_field, issue_title, issue_url, plan_issues
from .sent import sent_editions

ARCHIVE_URL = "newsletter/"
FEED_SAVE_AS = "newsletter/feed.atom.xml"


class NewsletterGenerator(Generator):
    """Runs after the articles generator, whose notices it reads from the context."""

    def generate_output(self, writer):
        config = newsletter_settings(self.settings)
        field_labels = self.context.get("FIELD_LABELS", {})
        archived = archived_issues(
            _notices_with_pages(self.context), self.context["CONTENT"].day,
            first_issue=config.first_issue, first_number=config.first_number,
        )
        issues = [issue for issue in archived if issue.edition]  # an empty edition has no page
        common = {
            "NEWSLETTER_TITLE": config.title,
            "NEWSLETTER_ARCHIVE_URL": ARCHIVE_URL,
            "NEWSLETTER_FEED_URL": FEED_SAVE_AS,
            "NEWSLETTER_SUBSCRIBE_URL": config.subscribe_url,
            "issue_title": lambda issue: issue_title(config.title, issue),
            "issue_url": issue_url,
        }
        template = self.get_template("newsletter_issue")
        for index, issue in enumerate(issues):
            writer.write_file(
                issue_url(issue.day) + "index.html", template, self.context,
                relative_urls=self.settings["RELATIVE_URLS"], url=issue_url(issue.day),
                issue=issue, groups=group_by_field(issue.edition, field_labels),
                previous_issue=issues[index - 1] if index > 0 else None,
                next_issue=issues[index + 1] if index + 1 < len(issues) else None,
                **common,
            )
        self._write_emptied(writer, archived, issues, common)
        writer.write_file(
            ARCHIVE_URL + "index.html", self.get_template("newsletter_archive"), self.context,
            relative_urls=self.settings["RELATIVE_URLS"], url=ARCHIVE_URL,
            issues=list(reversed(archived)), **common,
        )
        self._write_feed(config.title, issues)

    def _write_emptied(self, writer, archived: list[Issue], issues: list[Issue], common: dict) -> None:
        """At the page of each edition an issue's emails linked to (the ledger
        of pages bundles linked to: :mod:`.sent`) that holds no notice now
        (each made a draft or removed), a page with its title and day that
        says so: a link in an email already sent never leads nowhere."""
        config = newsletter_settings(self.settings)
        written, by_day = {issue.day for issue in issues}, {issue.day: issue for issue in archived}
        for day in sent_editions(self.settings):
            if day in written or day > self.context["CONTENT"].day:
                continue
            issue = by_day.get(day) or plan_issues(_notices_with_pages(self.context), day, day,
                                                   first_issue=config.first_issue, first_number=config.first_number)[0]
            writer.write_file(
                issue_url(day) + "index.html", self.get_template("newsletter_issue"), self.context,
                relative_urls=self.settings["RELATIVE_URLS"], url=issue_url(day), issue=issue, groups=[],
                previous_issue=None, next_issue=None, **common,
            )

    def _write_feed(self, title: str, issues: list[Issue]) -> None:
        base = absolute_site_url(self.settings) or ""
        feed = steady(Atom1Feed(
            title=title, link=f"{base}/{ARCHIVE_URL}", description=self.settings.get("SITESUBTITLE") or title,
            language=self.settings.get("DEFAULT_LANG"), feed_url=f"{base}/{FEED_SAVE_AS}",
            author_name=self.settings.get("AUTHOR"),  # RFC 4287: a feed or each entry has an author
        ))
        for issue in reversed(issues):
            url = f"{base}/{issue_url(issue.day)}"
            moment = dt.datetime.combine(issue.day, dt.time(), SEOUL)
            feed.add_item(
                title=issue_title(title, issue), link=url, unique_id=url,
                description=f"소식 {len(issue.edition)}건", content=_feed_content(issue, base, self.settings["ARTICLE_URL"]),
                pubdate=moment, updateddate=moment,
            )
        write_output_bytes(self.output_path, FEED_SAVE_AS, feed.writeString("utf-8").encode("utf-8"))


def _feed_content(issue: Issue, base: str, article_url: str) -> str:
    items = "".join(
        f'<li><a href="{escape(base)}/{escape(article_url.format(slug=n.slug))}">{escape(n.title)}</a></li>'
        for n in issue.edition
    )
    return f"<ul>{items}</ul>"


def _notices_with_pages(context: dict) -> list:
    """Every notice with a page: listed, unlisted and expired ones (the window
    rule decides about expiry per issue). Drafts and private notices have none."""
    return [article.notice for article in context["NOTICE_ARTICLES"].values()]
