"""The privacy notice says that, to limit sign-ups per client
(SUBSCRIBE_RATE), the collector keeps a keyed hash (HMAC) of the client's
network address (an IPv6 one as its /64) and for how long: the rate's
window, taken from the setting, on the privacy page (제2조, 제3조 7) and in
the sign-up form's consent (items kept, how long), whose version names the
window. The collector keeps the hash no longer: it is gone once the window
has passed though no request comes after it."""

from __future__ import annotations

import html
import re
import time
import urllib.parse

from hypothesis import given, strategies as st

from delivery_support import store_rows
from project_support import copy_project, run_sotong, serving
from sample_site import dev_site
from test_serve import request

from sotong.project import Project
from sotong.web import make_app
from subscriptions.rules import consent, rate_window

WINDOWS = {"second": (1, "1초"), "minute": (60, "1분"), "hour": (3600, "1시간"), "day": (86400, "하루")}


@given(st.integers(1, 10_000), st.sampled_from(sorted(WINDOWS)))
def test_the_consent_names_the_settings_window_and_its_version_too(count, unit):
    settings = {"SUBSCRIBE_RATE": f"{count}/{unit}"}
    seconds, words = WINDOWS[unit]
    assert rate_window(settings) == words
    text, version = consent(settings)
    assert "인터넷 주소(IP 주소)를 알아볼 수 없게 바꾼 값" in text["items"]
    assert f"인터넷 주소를 바꾼 값은 {words} 동안만 보관하고 지웁니다." in text["retention"]
    assert version == f"2026-12-v1/{seconds}s"
    assert not any("{" in said for said in text.values())


def _shown(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _privacy_and_form(output) -> tuple[str, str]:
    return ((output / "privacy" / "index.html").read_text(encoding="utf-8"),
            (output / "subscribe" / "form" / "index.html").read_text(encoding="utf-8"))


def test_the_privacy_page_and_the_form_say_the_default_hour():
    privacy, form = _privacy_and_form(dev_site().output)
    assert "{SUBSCRIBE_RATE" not in privacy
    said = _shown(privacy)
    assert "신청 횟수 제한(자동 생성)" in said and "바꾼 값(HMAC)만 1시간 동안 보관한 뒤 지웁니다" in said
    assert "신청 횟수 제한 기록: 1시간 동안." in said
    assert "앞부분(/64)" in said
    assert "인터넷 주소를 바꾼 값은 1시간 동안만 보관하고 지웁니다." in _shown(form)
    assert 'name="consent_version" value="2026-12-v1/3600s"' in form


def test_a_day_long_window_is_said_on_the_page_the_form_and_by_the_collector(tmp_path):
    project = copy_project(tmp_path, extra_settings='SMTP_PORT = 9\nSUBSCRIBE_RATE = "3/day"\n')
    result = run_sotong(project, "build")
    assert result.code == 0, result.output
    privacy, form = _privacy_and_form(project / "output")
    assert "바꾼 값(HMAC)만 하루 동안 보관한 뒤 지웁니다" in _shown(privacy) and "1시간" not in _shown(privacy)
    assert "인터넷 주소를 바꾼 값은 하루 동안만 보관하고 지웁니다." in _shown(form)
    version = re.search(r'name="consent_version" value="([^"]+)"', form)[1]
    assert version == "2026-12-v1/86400s"
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        signup = {"email": "hong@example.com", "fields": ["health"], "channels": ["email"], "consent": "yes",
                  "consent_version": version, "website": ""}
        body = urllib.parse.urlencode(signup, doseq=True).encode()
        assert request(port, "POST", "/subscribe", body, {"Content-Type": "application/x-www-form-urlencoded"})[0] == 303
        wrong = urllib.parse.urlencode({**signup, "consent_version": "2026-12-v1/3600s"}, doseq=True).encode()
        status, _, page = request(port, "POST", "/subscribe", wrong, {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 400 and "인터넷 주소를 바꾼 값은 하루 동안만 보관하고 지웁니다." in _shown(page)


def test_the_addresses_hash_is_gone_once_the_window_passed_though_no_request_came(tmp_path, monkeypatch):
    """The hash was dropped only when a later request was counted (or by the
    daily purge): after a quiet night it stayed for hours. The collector's
    mail thread drops it within its once-a-minute clean-up (made quicker here)."""
    from subscriptions import outgoing

    monkeypatch.setattr(outgoing, "CLEANUP_SECONDS", 0.2)
    monkeypatch.setattr(outgoing, "RETRY_SECONDS", 0.2)
    project = copy_project(tmp_path, notices=False, extra_settings='SMTP_PORT = 9\nSUBSCRIBE_RATE = "5/second"\n')
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        body = urllib.parse.urlencode({"email": "hong@example.com"}).encode()
        assert request(port, "POST", "/p/link", body, {"Content-Type": "application/x-www-form-urlencoded"})[0] == 303
        assert store_rows(project, "SELECT count(*) FROM subscriptions_rate") == [(1,)]
        deadline = time.monotonic() + 10
        while store_rows(project, "SELECT count(*) FROM subscriptions_rate") != [(0,)]:
            assert time.monotonic() < deadline, "the client's hash was kept past SUBSCRIBE_RATE's window"
            time.sleep(0.1)
