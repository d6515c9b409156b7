"""The boxes a resident types an address or a number into, on a 320px phone
with the text at 200%: a phone number shows whole, and any other box shows
the whole value typed in it (the preferences page's boxes are empty: the
stored address and number are said above them, masked), or else spans the form's column,
less a frame that does not grow with the text.
The preferences page showed a stored "010-1234-5678" as "010-123" and the
sign-up form cut an email after six letters: each box sat inside its
fieldset's 1rem padding and its own .5rem, both doubled by the text size,
and took 172px of the 248px column. They took 225px then (their frames no
wider than 3vw and 2vw on a phone), and the number, 258px at this size,
still scrolled in its box; the page's own side margins (1rem: 36px each at
200%) are now at most 5vw and the fieldset's 2.5vw, so the box is 267px and
the number shows whole. A 32-letter address needs 661px, more than any
phone has, so it still scrolls inside the box; the page says the stored
one in words, masked, which wrap."""

from __future__ import annotations

import pytest

from project_support import copy_project, store_of
from sample_site import SECRET_ENV, collector as run_collector

from sotong.store import Store, Subscriber
from sotong.tokens import make_token

from .page_checks import MIN_TEXT_PX, sideways_scrolling, small_text
from .test_large_text import TEXT_SCALE, WIDTH, _described_fields, _phone

EMAIL = "kim.younghee.seongdong@naver.com"
PHONE = "010-1234-5678"
FRAME_PX = 16  # what the fieldset's border and padding may take on each side, whatever the text size
_BOXES = """() => [...document.querySelectorAll('form input:not([type=hidden]):not([type=checkbox]):not([type=radio])')]
  .filter(box => box.getBoundingClientRect().right > 0)  // not the honeypot, kept off the screen
  .map(box => {
    const column = box.form.getBoundingClientRect(), own = box.getBoundingClientRect();
    return {name: box.name, value: box.value, client: box.clientWidth, scroll: box.scrollWidth,
            left: own.left - column.left, right: column.right - own.right, column: column.width};
  })"""


@pytest.fixture(scope="module")
def resident(tmp_path_factory):
    """The preferences page of a resident whose store has a long address and
    a full phone number, on a collector of its own (the sample's store stays as it is)."""
    project = copy_project(tmp_path_factory.mktemp("wide-values"))
    store = Store.open(store_of(project))
    with store.transaction():
        store.put_subscriber(Subscriber(id="S000900", name="김영희", email=EMAIL, phone=PHONE, birth_year=1958,
                                        dong="yongdap", fields=frozenset({"health"}),
                                        channels=frozenset({"email", "sms"}), subscribed_at="2026-11-01"))
    store.close()
    token = make_token("preferences", "S000900", SECRET_ENV["SOTONG_SECRET"].encode())
    with run_collector(project) as base:
        yield f"{base}/p/{token}"


def _cut_boxes(page) -> list[str]:
    return [f"{box['name']}: {box['value']!r} shows {box['client']}px of {box['scroll']}px and leaves "
            f"{box['left']:.0f}px / {box['right']:.0f}px of the {box['column']:.0f}px column"
            for box in page.evaluate(_BOXES)
            if box["client"] < box["scroll"] and (box["name"] == "phone" or max(box["left"], box["right"]) > FRAME_PX)]


@pytest.mark.parametrize("name", ["preferences", "sign-up", "link-request"])
def test_a_box_shows_its_value_or_spans_the_column(name, browser, resident, site_server, collector):
    context, page = _phone(browser, WIDTH, 700)
    try:
        page.goto({"preferences": resident, "sign-up": f"{site_server.base}/subscribe/form/index.html",
                   "link-request": f"{collector}/p/link"}[name])
        assert page.locator("#f-email").input_value() == ""  # the stored address is not in the box
        page.locator("#f-email").fill(EMAIL)  # what a resident types
        if page.locator("#f-phone").count():
            page.locator("#f-phone").fill(PHONE)
        assert page.locator("#f-email").input_value() == EMAIL
        problems = (_cut_boxes(page) + sideways_scrolling(page, WIDTH)
                    + small_text(page, MIN_TEXT_PX * TEXT_SCALE))
        assert not problems, f"{name} at {WIDTH}px, text 200%:\n" + "\n".join(problems)
    finally:
        context.close()


def test_the_preferences_page_says_the_stored_address_and_number_masked(browser, resident):
    """The page says the stored address and number in words, which wrap,
    masked (the page opens by a link in every email): whole nowhere; and
    with their boxes, as a screen reader's description: they stood between
    each box and its label, and a screen reader on the empty box heard
    only 「새 이메일 주소 (바꾸실 때만, …)」, not what is kept when it is left empty."""
    context, page = _phone(browser, WIDTH, 700)
    try:
        page.goto(resident)
        example = f'예: <span style="display:inline-block">{PHONE})</span>'  # the label's example is this number
        assert EMAIL not in page.content() and PHONE not in page.content().replace(example, "")
        for said in ("지금 등록된 주소: ki***@naver.com", "지금 등록된 번호: 010-****-5678"):
            line = page.get_by_text(said, exact=True)
            assert line.count() == 1 and line.is_visible(), f"the page does not say {said!r}"
            box = line.evaluate("p => ({right: p.getBoundingClientRect().right, client: p.clientWidth, scroll: p.scrollWidth})")
            assert box["right"] <= WIDTH and box["scroll"] <= box["client"], (said, box)
        described = _described_fields(page)
        assert described.get("새 이메일 주소 (바꾸실 때만, 예: hong@example.com)") == "지금 등록된 주소: ki***@naver.com", described
        assert described.get("새 휴대전화 번호 (바꾸실 때만, 예: 010-1234-5678)") == "지금 등록된 번호: 010-****-5678", described
        problems = sideways_scrolling(page, WIDTH) + small_text(page, MIN_TEXT_PX * TEXT_SCALE)
        assert not problems, f"preferences at {WIDTH}px, text 200%:\n" + "\n".join(problems)
    finally:
        context.close()
