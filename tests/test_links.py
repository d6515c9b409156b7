"""Addresses of notices: short ids and the site's absolute address."""

from sotong.links import SHORT_ID_LENGTH, absolute_site_url, short_id


def test_short_ids_are_stable_short_and_unambiguous():
    assert short_id("2026-11-05-kimjang-sharing") == short_id("2026-11-05-kimjang-sharing")
    assert short_id("a") != short_id("b")
    assert len(short_id("x")) == SHORT_ID_LENGTH and not set(short_id("x")) & {"l", "o"}


def test_absolute_site_url_prefers_siteurl_then_feed_domain():
    assert absolute_site_url({"SITEURL": "https://sd.go.kr/s/", "FEED_DOMAIN": "https://f"}) == "https://sd.go.kr/s"
    assert absolute_site_url({"SITEURL": "", "FEED_DOMAIN": "https://f/"}) == "https://f"
    assert absolute_site_url({"SITEURL": "/relative", "FEED_DOMAIN": None}) is None
