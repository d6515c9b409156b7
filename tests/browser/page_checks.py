"""What a resident's browser shows, checked inside a loaded page (Playwright):
axe-core's WCAG 2.1 A/AA (and best-practice) rules, no sideways scrolling,
no text under 16px, an alt on every image, tap targets of 44px, links that
look like links, focus that is seen, phone numbers kept whole, and no request leaving the site. Each check returns a list of readable problems,
empty when the page is fine, so that a failing test says what to fix.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SITE_TAGS = WCAG_TAGS + ["best-practice"]
# An email is shown inside the mailbox's own page, which has the landmarks and
# the page-level structure; these best-practice rules are about that page.
EMAIL_SKIPPED_RULES = ["region", "landmark-one-main", "page-has-heading-one"]
MIN_TEXT_PX = 16
WIDTHS = [375, 1280]  # the widths residents read at: a 375px phone, a 1280px screen

_AXE = """async (options) => {
  const result = await axe.run(document, options);
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')), count: v.nodes.length,
  }));
}"""


def axe_violations(page, axe_script: Path, tags: list[str], skip_rules: list[str] = ()) -> list[str]:
    """axe-core's violations, one line each: id, impact, help and where."""
    page.add_script_tag(path=str(axe_script))
    options = {"runOnly": {"type": "tag", "values": tags},
               "rules": {rule: {"enabled": False} for rule in skip_rules}}
    return [f"{v['id']} ({v['impact']}): {v['help']} — {v['count']} element(s), e.g. {v['targets']} [{v['helpUrl']}]"
            for v in page.evaluate(_AXE, options)]


# A CSS path that names an element well enough to find it in the template.
_PATH_OF = """function pathOf(el) {
  const parts = [];
  for (; el && el.nodeType === 1 && parts.length < 4; el = el.parentElement) {
    let part = el.localName;
    if (el.id) { parts.unshift(part + '#' + el.id); break; }
    if (el.classList.length) part += '.' + [...el.classList].join('.');
    parts.unshift(part);
  }
  return parts.join(' > ');
}"""

# The first five elements whose right edge is past a ``width`` px screen.
_WIDE = """function wideElements(width) {
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 0.5) wide.push(pathOf(el) + ' (right edge ' + Math.round(box.right) + 'px)');
    if (wide.length >= 5) break;
  }
  return wide;
}"""

_LAYOUT = """(width) => {
  %s %s
  const scrollWidth = document.scrollingElement.scrollWidth;
  const wide = scrollWidth > width ? wideElements(width) : [];
  const viewport = document.querySelector('meta[name=viewport]');
  return {scrollWidth, wide, viewport: viewport ? viewport.content : null};
}""" % (_PATH_OF, _WIDE)


def sideways_scrolling(page, width: int) -> list[str]:
    """Problems when the page is wider than a ``width`` px screen, or does not
    tell phones to lay it out at their width (they would show it zoomed out)."""
    layout = page.evaluate(_LAYOUT, width)
    problems = []
    if "width=device-width" not in (layout["viewport"] or "").replace(" ", ""):
        problems.append('no <meta name="viewport" content="width=device-width, initial-scale=1">: '
                        "phones show the page zoomed out, with tiny text")
    if layout["scrollWidth"] > width:
        problems.append(f"scrolls sideways: {layout['scrollWidth']}px of content on a {width}px screen; "
                        f"too wide: {layout['wide']}")
    return problems


_SMALL_TEXT = """(minimum) => {
  %s
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el || !el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = el.getBoundingClientRect();
    // 1px boxes are screen-reader-only text, which no one reads by eye
    if (box.width <= 1 && box.height <= 1) continue;
    if (![...range.getClientRects()].some(r => r.width > 1 && r.height > 1)) continue;
    // SVG text is drawn at its font size times the scale of its viewBox to the page
    const size = parseFloat(getComputedStyle(el).fontSize) * (el instanceof SVGElement ? el.getScreenCTM().a : 1);
    if (size < minimum) small.push([size, pathOf(el), text.slice(0, 30)]);
  }
  return small;
}""" % _PATH_OF


def small_text(page, minimum: float = MIN_TEXT_PX) -> list[str]:
    """Visible text under ``minimum`` px: one line per size and element
    path, with an example and how many texts share it."""
    groups: dict[tuple, list[str]] = {}
    for size, path, text in page.evaluate(_SMALL_TEXT, minimum):
        groups.setdefault((size, path), []).append(text)
    return [f'{size}px text under {minimum}px in {path}: "{texts[0]}"' + (f" and {len(texts) - 1} more" if len(texts) > 1 else "")
            for (size, path), texts in groups.items()]


_IMAGES_WITHOUT_ALT = """() => { %s
  return [...document.images].filter(img => !img.hasAttribute('alt')).map(img => pathOf(img) + ' src=' + img.getAttribute('src'));
}""" % _PATH_OF


def images_without_alt(page) -> list[str]:
    return [f"<img> without alt: {where}" for where in page.evaluate(_IMAGES_WITHOUT_ALT)]


# A tap target is 44x44 CSS px at least (WCAG 2.5.5), but a link inside a
# sentence (an inline link, or a phone number's, an inline-block of its own
# that flows with the words; another link set apart as a box is checked), and one whose address a big enough target on the page also
# opens (a notice's title above its "자세히 보기" button). A checkbox or a
# radio button is tapped on its label.
_SMALL_TARGETS = """(minimum) => { %s
  const targets = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')]
    .filter(el => el.checkVisibility({opacityProperty: true, visibilityProperty: true}) && !el.closest('[aria-hidden=true]'))
    .map(el => ['checkbox', 'radio'].includes(el.type) && el.labels.length ? el.labels[0] : el);
  const big = el => { const box = el.getBoundingClientRect(); return box.width >= minimum - 0.5 && box.height >= minimum - 0.5; };
  const opened = new Set(targets.filter(big).map(el => el.getAttribute('href')).filter(Boolean));
  const blockOf = el => { while (getComputedStyle(el).display === 'inline') el = el.parentElement; return el; };
  const flowing = el => getComputedStyle(el).display === 'inline' || el.matches('a[href^="tel:"]');
  const inSentence = el => { const block = blockOf(el.parentElement);
    return el.localName === 'a' && flowing(el) && block.textContent.trim() !== el.textContent.trim(); };
  return targets.filter(el => !big(el) && !inSentence(el) && !opened.has(el.getAttribute('href')))
    .map(el => { const box = el.getBoundingClientRect();
      return `"${(el.textContent || el.name || '').trim().slice(0, 30)}" in ${pathOf(el)}: ${Math.round(box.width)}x${Math.round(box.height)}px`; });
}""" % _PATH_OF


def small_targets(page, minimum: int = 44) -> list[str]:
    """Buttons, fields and links standing alone that are smaller than ``minimum`` px."""
    return [f"tap target under {minimum}x{minimum}px: {where}" for where in page.evaluate(_SMALL_TARGETS, minimum)]


# Colours as the browser computes them: contrast (WCAG), and the first
# background behind an element that is not transparent.
_COLOURS = """  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const luminance = c => {
    const [r, g, b] = rgb(c).slice(0, 3).map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const transparent = c => c === 'transparent' || (rgb(c).length === 4 && rgb(c)[3] === 0);
  const backgroundBehind = el => {
    for (el = el.parentElement; el; el = el.parentElement) {
      const bg = getComputedStyle(el).backgroundColor;
      if (!transparent(bg)) return bg;
    }
    return 'rgb(255, 255, 255)';
  };"""

# A link is recognisable when it is underlined, or is a button (its own
# background or border, standing out 3:1 from what is behind it), or its colour
# stands out 3:1 from the text around it (WCAG technique G183).
_INVISIBLE_LINKS = """() => { %s
  %s
  const bad = [];
  for (const a of document.querySelectorAll('a[href]')) {
    if (!a.textContent.trim() || !a.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    const style = getComputedStyle(a);
    const underlined = style.textDecorationLine.includes('underline');
    const behind = backgroundBehind(a);
    const filled = !transparent(style.backgroundColor) && contrast(style.backgroundColor, behind) >= 3;
    const framed = parseFloat(style.borderTopWidth) > 0 && style.borderTopStyle !== 'none' && contrast(style.borderTopColor, behind) >= 3;
    const parentColor = a.parentElement ? getComputedStyle(a.parentElement).color : 'rgb(0, 0, 0)';
    const standsOut = contrast(style.color, parentColor) >= 3;
    if (!underlined && !filled && !framed && !standsOut) bad.push(`"${a.textContent.trim().slice(0, 30)}" in ${pathOf(a)}`);
  }
  return bad;
}""" % (_PATH_OF, _COLOURS)


def links_not_recognisable(page) -> list[str]:
    """Links that are neither underlined, nor buttons, nor coloured apart from their text."""
    return [f"link not recognisable as a link: {where}" for where in page.evaluate(_INVISIBLE_LINKS)]


# A shape drawn in an inline SVG (a results chart's bar) stands out 3:1
# from what is behind it (WCAG 1.4.11), as the page is shown: with forced
# colours (Windows' high contrast) Chromium keeps an SVG's own colours and
# puts them on the theme's background.
_UNSEEN_SHAPES = """() => { %s
  %s
  const unseen = [];
  for (const shape of document.querySelectorAll('svg rect, svg circle, svg ellipse, svg path, svg polygon')) {
    const fill = getComputedStyle(shape).fill;
    if (!shape.checkVisibility({opacityProperty: true, visibilityProperty: true}) || !fill.startsWith('rgb')) continue;
    const behind = backgroundBehind(shape.ownerSVGElement);
    if (contrast(fill, behind) < 3) unseen.push(`${pathOf(shape)}: ${fill} on ${behind}`);
  }
  return unseen;
}""" % (_PATH_OF, _COLOURS)


def unseen_shapes(page) -> list[str]:
    """Shapes of the page's inline SVGs whose fill stands out less than 3:1 from the background behind them."""
    return [f"a drawn shape hardly seen: {where}" for where in page.evaluate(_UNSEEN_SHAPES)]


# A link drawn as a button (a background of its own, no underline) keeps a
# frame when the reader's forced colours (Windows' high contrast) take the
# background away: else it is a word in another colour among the text, not
# a button, and not underlined as a link either.
_BUTTON_LINKS = """() => { %s
  %s
  return [...document.querySelectorAll('a[href]')].map((a, index) => [a, index]).filter(([a]) => {
    const style = getComputedStyle(a);
    return a.checkVisibility() && !style.textDecorationLine.includes('underline') && !transparent(style.backgroundColor)
      && contrast(style.backgroundColor, backgroundBehind(a)) >= 1.5;
  }).map(([a, index]) => index);
}""" % (_PATH_OF, _COLOURS)
_FRAMELESS = """indexes => { %s
  %s
  const links = document.querySelectorAll('a[href]');
  return indexes.map(index => links[index]).filter(a => {
    const style = getComputedStyle(a);
    const framed = parseFloat(style.borderTopWidth) > 0 && style.borderTopStyle !== 'none'
      && contrast(style.borderTopColor, backgroundBehind(a)) >= 3;
    return !framed && !style.textDecorationLine.includes('underline');
  }).map(a => `"${a.textContent.trim().slice(0, 30)}" in ${pathOf(a)}`);
}""" % (_PATH_OF, _COLOURS)


def buttons_lost_in_forced_colours(page) -> list[str]:
    """Links drawn as buttons that are neither framed nor underlined once
    forced colours take their background away."""
    buttons = page.evaluate(_BUTTON_LINKS)
    page.emulate_media(forced_colors="active")
    try:
        lost = page.evaluate(_FRAMELESS, buttons)
    finally:
        page.emulate_media(forced_colors="none")
    return [f"a button-like link is plain text in forced colours: {where}" for where in lost]


# Focus is seen when its outline or its shadow stands out 3:1 from what is
# behind the element (WCAG 1.4.11 and 2.4.7), and the element is not wholly
# under something that stays on the screen as the page scrolls (a sticky
# header, a fixed bar: WCAG 2.2's 2.4.11).
_FOCUS_SEEN = """() => { %s %s
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  window.sotongStuck ??= [...document.body.querySelectorAll('*')].filter(o => ['fixed', 'sticky'].includes(getComputedStyle(o).position));
  const own = el.getBoundingClientRect();
  const over = window.sotongStuck.find(o => { const box = o.getBoundingClientRect();
    return !o.contains(el) && o.checkVisibility({opacityProperty: true, visibilityProperty: true}) && box.left <= own.left
      && box.right >= own.right && box.top <= own.top && box.bottom >= own.bottom; });
  const style = getComputedStyle(el);
  const behind = backgroundBehind(el);
  const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 && contrast(style.outlineColor, behind) >= 3;
  const shadow = style.boxShadow.match(/rgba?\\([^)]*\\)/);
  const shadowed = shadow !== null && contrast(shadow[0], behind) >= 3;
  return {where: pathOf(el), text: (el.textContent || el.name || '').trim().slice(0, 30),
          href: el.getAttribute('href'), seen: outlined || shadowed, under: over ? pathOf(over) : null,
          outline: style.outlineStyle + ' ' + style.outlineColor, shadow: style.boxShadow, behind};
}""" % (_PATH_OF, _COLOURS)


def focus_problems(page, presses: int = 150) -> list[str]:
    """Tab through the page as a keyboard user: the first stop is the skip
    link to #main (unless the page opened with its list of errors focused:
    the reader begins there), and every stop shows where the focus is, not
    hidden under a sticky or fixed box."""
    problems, first = [], None
    opened_focused = page.evaluate("document.activeElement.getAttribute('role') === 'alert'")
    for press in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUS_SEEN)
        if focused is None or focused == first:  # past the last stop, or round to the first again
            break
        first = first or focused
        if press == 0 and focused["href"] != "#main" and not opened_focused:
            problems.append(f'the first Tab reaches "{focused["text"]}" in {focused["where"]}, not a skip link to #main')
        if not focused["seen"]:
            problems.append(f'focus not seen on "{focused["text"]}" in {focused["where"]}: outline {focused["outline"]}, '
                            f'shadow {focused["shadow"]}, on {focused["behind"]} (3:1 needed)')
        if focused["under"]:
            problems.append(f'focus hidden: "{focused["text"]}" in {focused["where"]} is under {focused["under"]}')
    return problems


# WCAG 1.4.12: a reader's own style sheet sets lines 1.5 apart, letters
# 0.12em, words 0.16em, paragraphs 2em; nothing may then be cut off or
# overlap, nor the page scroll sideways. Measured with that style added, then
# taken away again.
_TEXT_SPACING = """(width) => { %s %s
  const spacing = document.createElement('style');
  spacing.textContent = '* { line-height: 1.5 !important; letter-spacing: 0.12em !important; '
    + 'word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }';
  document.head.append(spacing);
  const problems = [], scrollWidth = document.scrollingElement.scrollWidth;
  if (scrollWidth > width) problems.push(`scrolls sideways: ${scrollWidth}px of content; too wide: ${wideElements(width)}`);
  for (const el of document.body.querySelectorAll('*')) {
    if (el.clientWidth <= 1 || el.clientHeight <= 1 || !el.checkVisibility({visibilityProperty: true})) continue;
    const style = getComputedStyle(el), cut = value => ['hidden', 'clip'].includes(value);
    if ((cut(style.overflowY) && el.scrollHeight > el.clientHeight + 1) || (cut(style.overflowX) && el.scrollWidth > el.clientWidth + 1))
      problems.push(`text cut off in ${pathOf(el)}: "${el.textContent.trim().slice(0, 30)}"`);
  }
  spacing.remove();
  return problems;
}""" % (_PATH_OF, _WIDE)


def text_spacing_problems(page, width: int) -> list[str]:
    """What a ``width`` px screen loses when the reader widens the text's
    spacing as WCAG 1.4.12 says (lines, letters, words, paragraphs)."""
    return [f"with wider text spacing: {problem}" for problem in page.evaluate(_TEXT_SPACING, width)]


# A phone number is read (and copied to a phone's keypad) whole: not on two
# lines ("02-2286-" / "5114"), and not sticking out of its box either.
_SPLIT_NUMBERS = """() => { %s
  const problems = [];
  for (const a of document.querySelectorAll('a[href^="tel:"]')) {
    if (!a.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    let block = a.parentElement;
    while (getComputedStyle(block).display === 'inline') block = block.parentElement;
    const style = getComputedStyle(block);
    const inside = block.getBoundingClientRect().right - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth);
    const lines = new Set([...a.getClientRects()].map(r => Math.round(r.top))).size;
    const out = a.getBoundingClientRect().right - inside;
    if (lines > 1) problems.push(`"${a.textContent}" in ${pathOf(a)} on ${lines} lines`);
    else if (out > 0.5) problems.push(`"${a.textContent}" in ${pathOf(a)} sticks ${Math.round(out)}px out of its box`);
  }
  return problems;
}""" % _PATH_OF


def split_phone_numbers(page) -> list[str]:
    """Phone numbers (tel: links) broken over lines or wider than their box."""
    return [f"phone number not whole: {where}" for where in page.evaluate(_SPLIT_NUMBERS)]


# A phone number in a sentence that is not a link (an example to follow,
# "예: 010-1234-5678", or the reader's own number shown in words) is read whole too.
_SPLIT_IN_TEXT = """() => { %s
  const problems = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    for (const number of node.textContent.matchAll(/(?:\\d{2,4}|\\*{3})-(?:\\d{3,4}|\\*{4})-(?:\\d{4}|\\*{4})|\\d{4}-\\d{4}/g)) {
      const range = document.createRange();
      range.setStart(node, number.index);
      range.setEnd(node, number.index + number[0].length);
      const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size;
      if (lines > 1) problems.push(`"${number[0]}" in ${pathOf(node.parentElement)} on ${lines} lines`);
    }
  }
  return problems;
}""" % _PATH_OF


def numbers_split_in_text(page) -> list[str]:
    """Phone numbers anywhere in the page's text broken over lines, masked ones (010-****-5678) too."""
    return [f"phone number not whole: {where}" for where in page.evaluate(_SPLIT_IN_TEXT)]

# A heading's word cut between two of its letters ("성동구립도" / "서관")
# though a line could hold it whole at 1.2 times the body text's size (a
# phone's headings with large text): a heading is not so much larger than
# the text that its words no longer fit. A break after punctuation
# ("지방세·" / "세외수입", "2026~" / "2027절기") is where a line may end, and a
# word wider than the line even at that size has to be cut somewhere.
_CUT_WORDS = """() => { %s
  const cut = [];
  const letter = /[\\p{L}\\p{N}]/u;
  for (const heading of document.querySelectorAll('h1, h2, h3')) {
    if (!heading.checkVisibility()) continue;
    const style = getComputedStyle(heading);
    const room = heading.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const scale = 1.2 * parseFloat(getComputedStyle(document.body).fontSize) / parseFloat(style.fontSize);
    const walker = document.createTreeWalker(heading, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const range = document.createRange();
      const box = (start, end) => { range.setStart(node, start); range.setEnd(node, end); return [...range.getClientRects()].filter(r => r.width > 0); };
      for (const word of node.textContent.matchAll(/\\S+/g)) {
        const rects = box(word.index, word.index + word[0].length);
        if (new Set(rects.map(r => Math.round(r.top))).size < 2 || rects.reduce((sum, r) => sum + r.width, 0) * scale > room) continue;
        for (let i = word.index; i + 1 < word.index + word[0].length; i++) {
          const [a, b] = [box(i, i + 1)[0], box(i + 1, i + 2)[0]];
          if (a && b && b.top - a.top > 1 && letter.test(node.textContent[i]) && letter.test(node.textContent[i + 1]))
            cut.push(`"${word[0]}" in ${pathOf(heading)} (${style.fontSize})`);
        }
      }
    }
  }
  return cut;
}""" % _PATH_OF


def cut_heading_words(page) -> list[str]:
    """Words of headings broken between two letters at the end of a line."""
    return [f"a heading's word cut over two lines: {where}" for where in page.evaluate(_CUT_WORDS)]


def reading_problems(page, width: int) -> list[str]:
    """What keeps a resident on a phone (or a wide screen) from reading the page."""
    return sideways_scrolling(page, width) + small_text(page) + images_without_alt(page) + small_targets(page)


def web_page_problems(page, width: int) -> list[str]:
    """reading_problems of a page of the site or the collector, whose
    stylesheet also keeps every phone number whole (most mail apps ignore
    white-space: an email's numbers carry word joiners after their hyphens instead,
    test_email_pages checks them with white-space gone), and whose links
    drawn as buttons keep a frame in forced colours."""
    return reading_problems(page, width) + split_phone_numbers(page) + buttons_lost_in_forced_colours(page)


_STYLE_BLOCK = re.compile(r"<style\b[^>]*>.*?</style\s*>", re.IGNORECASE | re.DOTALL)


def without_style_blocks(html: str) -> str:
    """The email as Naver Mail and Daum Mail show it: every <style> block gone
    (inline style attributes stay)."""
    return _STYLE_BLOCK.sub("", html)


_STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*("[^"]*"|'[^']*')""", re.IGNORECASE)


def without_styles(html: str) -> str:
    """A page as a browser that shows no CSS lays it out: every <style>
    block and every style attribute gone."""
    return _STYLE_ATTRIBUTE.sub("", without_style_blocks(html))


# Text as drawn (not as styled): each visible run of text, line by line, its
# box read off a screenshot; its darkest and lightest pixels are the text
# and what is behind it. What a mail app that recolours the email (the Gmail
# app's dark mode: Android WebView's algorithmic darkening, which is
# Chromium's auto dark mode) shows is then measured as it is seen.
_TEXT_BOXES = """() => {
  const boxes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!node.textContent.trim() || !parent.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    const style = getComputedStyle(parent);
    const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && parseInt(style.fontWeight) >= 700);
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) if (r.width >= 4 && r.height >= 4)
      boxes.push({x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height, large,
                  text: node.textContent.trim().slice(0, 30)});
  }
  return boxes;
}"""

_DRAWN_CONTRAST = """async ([png, boxes, scale]) => {
  const picture = new Image();
  picture.src = 'data:image/png;base64,' + png;
  await picture.decode();
  const canvas = document.createElement('canvas');
  [canvas.width, canvas.height] = [picture.width, picture.height];
  const drawn = canvas.getContext('2d', {willReadFrequently: true});
  drawn.drawImage(picture, 0, 0);
  const linear = v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  return boxes.map(box => {
    const px = drawn.getImageData(Math.round(box.x * scale), Math.round(box.y * scale),
                                  Math.max(1, Math.round(box.w * scale)), Math.max(1, Math.round(box.h * scale))).data;
    let darkest = 1, lightest = 0, sum = 0;
    for (let i = 0; i < px.length; i += 4) {
      const l = 0.2126 * linear(px[i]) + 0.7152 * linear(px[i + 1]) + 0.0722 * linear(px[i + 2]);
      darkest = Math.min(darkest, l); lightest = Math.max(lightest, l); sum += l;
    }
    return {...box, ratio: (lightest + 0.05) / (darkest + 0.05), mean: sum / (px.length / 4)};
  });
}"""


def drawn_contrast_problems(page, scratch, scale: int) -> tuple[list[str], float]:
    """Text of ``page`` (drawn at ``scale`` device pixels per CSS px) whose
    drawn contrast is under WCAG's 4.5:1 (3:1 for large text), and the
    page's mean relative luminance as drawn (under 0.2: a dark page);
    ``scratch`` is a page of the same context to read the screenshot's
    pixels in."""
    boxes = page.evaluate(_TEXT_BOXES)
    whole = page.evaluate("({x: 0, y: 0, w: document.documentElement.scrollWidth, "
                          "h: document.documentElement.scrollHeight, large: true, text: ''})")
    shot = base64.b64encode(page.screenshot(full_page=True)).decode()
    *measured, drawn = scratch.evaluate(_DRAWN_CONTRAST, [shot, [*boxes, whole], scale])
    return [f'"{box["text"]}" drawn at {box["ratio"]:.1f}:1' for box in measured
            if box["ratio"] < (3 if box["large"] else 4.5)] + ([] if boxes else ["no text drawn"]), drawn["mean"]
