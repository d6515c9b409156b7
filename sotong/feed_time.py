"""The time a feed without entries gives as its own (Atom's ``<updated>``,
RSS's ``<lastBuildDate>``): a fixed one, the Unix epoch, where feedgenerator
takes the moment it writes the feed. So two builds of the same content give
the same bytes (a deploy uploads only what changed), whenever they run; a feed
with entries keeps feedgenerator's time, its newest entry's. Every feed the
site writes goes through :func:`steady`: Pelican's (the core's writer), the
newsletter's and the SNS feeds."""

from __future__ import annotations

import datetime as dt

from feedgenerator import SyndicationFeed

EMPTY_FEED_TIME = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def steady(feed: SyndicationFeed) -> SyndicationFeed:
    """``feed``, whose time while it holds no entry is :data:`EMPTY_FEED_TIME`."""
    newest = feed.latest_post_date
    feed.latest_post_date = lambda: newest() if feed.items else EMPTY_FEED_TIME
    return feed
