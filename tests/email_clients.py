"""Which email clients render what an email uses, from caniemail's data (the
npm package ``caniemail``: data/caniemail.json).

That file lists features (``css-margin``, ``html-table``, ...), each with
``stats[family][platform][version]`` = ``"y"`` (supported), ``"a #1 #2"``
(partial, see ``notes_by_num``), ``"n"`` (not), ``"u"`` (unknown). A client
here is a family and platform (Outlook on Windows); its verdict is the one of
its most recently tested version, which is what residents run.

``EmailFeatures.of(html, data)`` reads the HTML elements, attributes, inline
style declarations and <style> rules an email actually uses and names the
caniemail feature of each; ``support_problems`` says, per client, what it does
not render, given which partial supports (notes) were judged harmless.
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import cssutils
import lxml.html

# The clients the office's readers use that caniemail has data for. Gmail's
# "mobile-webmail" (gmail.com in a phone browser) is left out: Gmail sends
# phone users to its app, which is checked.
CLIENTS = {
    ("gmail", "desktop-webmail"): "Gmail (web)",
    ("gmail", "android"): "Gmail (Android)",
    ("gmail", "ios"): "Gmail (iOS)",
    ("outlook", "windows"): "Outlook (Windows)",
    ("outlook", "outlook-com"): "Outlook.com",
    ("apple-mail", "macos"): "Apple Mail (macOS)",
    ("apple-mail", "ios"): "Apple Mail (iOS)",
    ("samsung-email", "android"): "Samsung Email",
}

# What caniemail has no entry for because every client renders it: the HTML
# of the 1990s, plain colours and font names. Anything else an email uses
# must have data, or the check says so, so that each new feature is decided on.
ELEMENTS_WITHOUT_DATA = {"html", "head", "title", "meta", "a", "br", "b", "i", "em"}
ATTRIBUTES_WITHOUT_DATA = {"class", "style", "href", "src", "alt", "border", "bgcolor", "id", "name", "content",
                           "charset", "http-equiv", "type", "title", "colspan", "rowspan"}
PROPERTIES_WITHOUT_DATA = {"color", "font-family", "font-style"}

_ELEMENT_GROUPS = {
    **{f"h{n}": "html-h1-h6" for n in range(1, 7)},
    **dict.fromkeys(("ul", "ol", "li", "dl", "dt", "dd"), "html-lists"),
    **dict.fromkeys(("table", "tr", "td", "th", "thead", "tbody", "tfoot", "caption", "colgroup", "col"), "html-table"),
    **dict.fromkeys(("article", "aside", "details", "figcaption", "figure", "footer", "header", "main", "mark",
                     "nav", "section", "summary", "time"), "html-semantics"),
}
_ATTRIBUTE_FEATURES = {"loading": "html-loading-attribute", "srcset": "html-srcset", "sizes": "html-srcset"}
_DISPLAY_FEATURES = {"none": "css-display-none", "flex": "css-display-flex", "inline-flex": "css-display-flex",
                     "grid": "css-display-grid", "inline-grid": "css-display-grid"}
_UNIT = re.compile(r"(?<![\w#.-])-?(?:\d+\.?\d*|\.\d+)(px|rem|em|%|vh|vw|vmin|vmax|ch|ex|pt|cm|mm|in|pc)(?![\w-])")
_FUNCTION = re.compile(r"([a-z-]+)\(")
_FUNCTION_FEATURES = {"rgb": "css-rgb", "rgba": "css-rgba", "calc": "css-unit-calc", "var": "css-variables",
                      "linear-gradient": "css-linear-gradient", "radial-gradient": "css-radial-gradient",
                      "conic-gradient": "css-conic-gradient", "min": "css-function-min", "max": "css-function-max",
                      "clamp": "css-function-clamp", "light-dark": "css-function-light-dark"}


@dataclass(frozen=True)
class Feature:
    slug: str
    title: str
    keywords: str
    stats: dict
    notes: dict

    def verdict(self, family: str, platform: str) -> tuple[str, str, frozenset[str]] | None:
        """(support letter, version, note numbers) of the client's latest
        tested version, or None when caniemail did not test that client."""
        versions = self.stats.get(family, {}).get(platform)
        if not versions:
            return None
        version = max(versions, key=version_key)
        letter, *notes = versions[version].split()
        return letter, version, frozenset(note.lstrip("#") for note in notes)


def version_key(version: str) -> tuple[int, ...]:
    """Versions in caniemail are app versions ("16.80") or test dates
    ("2024-05"); dated tests are the newer ones, and years sort above versions."""
    return tuple(int(number) for number in re.findall(r"\d+", version))


@dataclass
class Caniemail:
    features: dict[str, Feature]
    by_property: dict[str, str]  # CSS property -> feature slug

    @classmethod
    def load(cls, path: Path) -> "Caniemail":
        data = json.loads(path.read_text(encoding="utf-8"))
        features = {item["slug"]: Feature(item["slug"], item["title"], item.get("keywords") or "", item["stats"],
                                          item.get("notes_by_num") or {})
                    for item in data["data"]}
        return cls(features, property_index(features))

    def css_feature(self, prop: str, value: str) -> str | None:
        if prop == "display":
            return _DISPLAY_FEATURES.get(value.split()[0] if value.split() else "", "css-display")
        # padding-left is padding's, border-top-width border-width's (css-border)
        return self.by_property.get(prop) or self.by_property.get(re.sub(r"-(top|right|bottom|left)(?=-|$)", "", prop))


def property_index(features: dict[str, Feature]) -> dict[str, str]:
    """CSS property -> its feature: by slug (css-margin), by the names a title
    lists ("left, right, top, bottom", "height property"), then by the
    longhands its keywords list (border-top-width -> css-border)."""
    css = {slug: f for slug, f in features.items() if slug.startswith("css-") and not slug.startswith("css-unit-")}
    index: dict[str, str] = {}
    for slug in css:
        index[slug.removeprefix("css-")] = slug
    for slug, feature in css.items():
        for name in re.split(r"[,&]", feature.title.replace(" property", "")):
            if re.fullmatch(r"[a-z]+(-[a-z]+)*", name.strip()):
                index.setdefault(name.strip(), slug)
    for slug, feature in css.items():
        for name in feature.keywords.split(","):
            if re.fullmatch(r"[a-z]+(-[a-z]+)+", name.strip()):
                index.setdefault(name.strip(), slug)
    return index


@dataclass
class EmailFeatures:
    """The caniemail features an email uses, each with a few places it is
    used, which of them are used only inside <style> blocks, and what it uses
    that caniemail has no data for."""

    used: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    outside_style_blocks: set[str] = field(default_factory=set)
    without_data: list[str] = field(default_factory=list)
    _in_style_block: bool = False

    def add(self, slug: str, where: str) -> None:
        if len(self.used[slug]) < 3:
            self.used[slug].append(where)
        if not self._in_style_block:
            self.outside_style_blocks.add(slug)

    @property
    def only_in_style_blocks(self) -> set[str]:
        return set(self.used) - self.outside_style_blocks

    def subset(self, keep) -> "EmailFeatures":
        """The features whose slug ``keep(slug)`` accepts (and no without-data list)."""
        part = EmailFeatures()
        part.used.update({slug: places for slug, places in self.used.items() if keep(slug)})
        part.outside_style_blocks = {slug for slug in self.outside_style_blocks if keep(slug)}
        return part

    @classmethod
    def of(cls, html: str, data: Caniemail) -> "EmailFeatures":
        found = cls()
        tree = lxml.html.document_fromstring(html)
        if tree.getroottree().docinfo.doctype.lower() == "<!doctype html>":
            found.add("html-doctype", "<!DOCTYPE html>")
        for element in tree.iter():
            if not isinstance(element.tag, str):
                found.add("html-comments", "<!-- -->")
                continue
            found._in_style_block = element.tag == "style"
            found._element(element, data)
            if element.get("style"):
                found.declarations(element.get("style"), f"<{element.tag} style>", data)
            if element.tag == "style":
                found.stylesheet(element.text or "", data)
            found._in_style_block = False
            if element.tag == "img" and element.get("src"):
                found.add(image_feature(element.get("src")), f'<img src="{element.get("src")[:60]}">')
        return found

    def _element(self, element, data: Caniemail) -> None:
        tag = element.tag
        slug = _ELEMENT_GROUPS.get(tag) or (f"html-input-{element.get('type', 'text')}" if tag == "input" else None) \
            or (f"html-button-{element.get('type', 'submit')}" if tag == "button" else None) or f"html-{tag}"
        if slug in data.features:
            self.add(slug, f"<{tag}>")
        elif tag not in ELEMENTS_WITHOUT_DATA:
            self.without_data.append(f"element <{tag}>")
        href = element.get("href", "") if tag == "a" else ""
        if href.startswith("#"):
            self.add("html-anchor-links", f'<a href="{href}">')
        elif href.startswith("mailto:"):
            self.add("html-mailto-links", "<a href=mailto:>")
        if tag == "meta" and element.get("name") == "color-scheme":
            self.add("html-meta-color-scheme", '<meta name="color-scheme">')
        for attribute in element.attrib:
            slug = _ATTRIBUTE_FEATURES.get(attribute, f"html-{attribute}")
            if slug in data.features and data.features[slug].title.endswith(("attribute", "attributes")):
                self.add(slug, f"<{tag} {attribute}>")
            elif attribute not in ATTRIBUTES_WITHOUT_DATA:
                self.without_data.append(f"attribute {attribute} on <{tag}>")

    def declarations(self, style: str, where: str, data: Caniemail) -> None:
        for declaration in _split(style, ";"):
            prop, _, value = declaration.partition(":")
            prop, value = prop.strip().lower(), value.strip()
            if not prop:
                continue
            if prop.startswith("mso-"):
                self.without_data.append(f"CSS {prop} (Outlook's own) in {where}")
                continue
            slug = data.css_feature(prop, value)
            if slug in data.features:
                self.add(slug, f"{prop}: {value} in {where}")
            elif prop not in PROPERTIES_WITHOUT_DATA:
                self.without_data.append(f"CSS {prop} in {where}")
            self.values(value, f"{prop}: {value} in {where}")

    def values(self, value: str, where: str) -> None:
        for unit in _UNIT.findall(value):
            self.add("css-unit-percent" if unit == "%" else f"css-unit-{unit}", where)
        for function in _FUNCTION.findall(value.lower()):
            self.add(_FUNCTION_FEATURES.get(function, f"css-{function}()"), where)
        if "!important" in value.replace(" ", ""):
            self.add("css-important", where)

    def stylesheet(self, css: str, data: Caniemail) -> None:
        if "/*" in css:
            self.add("css-comments", "/* */ in <style>")
        cssutils.log.setLevel(logging.CRITICAL)
        for rule in cssutils.parseString(css, validate=False):
            self._rule(rule, data)

    def _rule(self, rule, data: Caniemail) -> None:
        if rule.type == rule.MEDIA_RULE:
            self.add("css-at-media", f"@media {rule.media.mediaText}")
            for feature in re.findall(r"\(\s*([a-z-]+)", rule.media.mediaText):
                slug = {"prefers-color-scheme": "css-at-media-prefers-color-scheme",
                        "prefers-reduced-motion": "css-at-media-prefers-reduced-motion",
                        "orientation": "css-at-media-orientation", "hover": "css-at-media-hover",
                        "any-hover": "css-at-media-hover",
                        "-webkit-device-pixel-ratio": "css-at-media-device-pixel-ratio"}.get(feature)
                if slug:
                    self.add(slug, f"@media {rule.media.mediaText}")
            for inner in rule.cssRules:
                self._rule(inner, data)
        elif rule.type == rule.STYLE_RULE:
            self.selectors(rule.selectorText)
            self.declarations(rule.style.cssText, f"{rule.selectorText} {{}}", data)
        elif rule.type == rule.COMMENT:
            self.add("css-comments", "/* */ in <style>")
        elif rule.type in (rule.IMPORT_RULE, rule.FONT_FACE_RULE) or getattr(rule, "atkeyword", None):
            name = {rule.IMPORT_RULE: "css-at-import", rule.FONT_FACE_RULE: "css-at-font-face"}.get(rule.type)
            self.add(name or f"css-at-{rule.atkeyword.lstrip('@')}", rule.cssText[:40])

    def selectors(self, text: str) -> None:
        where = f"selector {text}"
        if "," in text:
            self.add("css-selector-grouping", where)
        for selector in _split(text, ","):
            selector = selector.strip()
            checks = [(r"\.[\w-]", "css-selector-class"), (r"#[\w-]", "css-selector-id"),
                      (r"\[", "css-selector-attribute"), (r"\*", "css-selector-universal"),
                      (r"(^|[\s>+~])[a-z]", "css-selector-type"), (r">", "css-selector-child"),
                      (r"\+", "css-selector-adjacent-sibling"), (r"~", "css-selector-general-sibling"),
                      (r"[\w\])]\s+[\w.#\[*:]", "css-selector-descendant"),
                      (r"[\w\]][.#\[:][\w-]", "css-selector-chaining")]
            for pattern, slug in checks:
                if re.search(pattern, selector):
                    self.add(slug, where)
            for colons, name in re.findall(r"(::?)([a-z-]+)", selector):
                self.add(f"css-pseudo-{'element' if colons == '::' else 'class'}-{name}", where)


_IMAGE_FORMATS = {"jpeg": "jpg", "jpg": "jpg", "png": "png", "gif": "gif", "svg": "svg", "webp": "webp", "avif": "avif",
                  "bmp": "bmp", "ico": "ico", "tif": "tiff", "tiff": "tiff", "heic": "heif", "heif": "heif"}


def image_feature(src: str) -> str:
    """The caniemail feature of an image's format, from its URL's file name
    (image-svg), or image-base64 for a data: URL."""
    if src.startswith("data:"):
        return "image-base64"
    suffix = Path(urlsplit(src).path).suffix.lower().lstrip(".")
    return f"image-{_IMAGE_FORMATS.get(suffix, suffix or 'unknown')}"


def _split(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` outside quotes and parentheses."""
    parts, current, depth, quote = [], [], 0, None
    for char in text:
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return [part for part in parts if part.strip()]


# What a <style> block is made of. Naver Mail and Daum Mail remove <style>
# blocks, and the email is checked to read well without them (in Chromium),
# so whether a client applies them changes the looks, never the reading.
STYLE_BLOCK_MECHANICS = ("html-style", "css-at-media", "css-selector-", "css-pseudo-", "css-important", "css-comments")


def support_problems(found: EmailFeatures, data: Caniemail, accepted_partial: dict[str, dict[str, str]],
                     ignored_without_harm: dict[str, str]) -> list[str]:
    """What a client does not render, one line each.

    A partial support ("a") passes when every note it cites is in
    ``accepted_partial[slug]`` (note number -> why that limit does not matter
    to this email); a feature in ``ignored_without_harm`` (slug -> why) passes
    whatever the client does; and so does the machinery of <style> blocks
    used only there (STYLE_BLOCK_MECHANICS)."""
    problems = [f"no caniemail data for {thing}: look it up on caniemail.com and decide" for thing in found.without_data]
    exempt = {slug for slug in found.only_in_style_blocks if slug.startswith(STYLE_BLOCK_MECHANICS)}
    for slug, places in sorted(found.used.items()):
        if slug in exempt or slug in ignored_without_harm:
            continue
        feature = data.features.get(slug)
        if feature is None:
            problems.append(f"{slug} (used in {places[0]}) is not in caniemail's data: look it up and decide")
            continue
        for (family, platform), client in CLIENTS.items():
            verdict = feature.verdict(family, platform)
            if verdict is None:
                problems.append(f"{client}: caniemail has no test of {feature.title} ({slug}), used in {places[0]}")
                continue
            letter, version, notes = verdict
            if letter == "y" or (letter == "a" and notes and notes <= set(accepted_partial.get(slug, {}))):
                continue
            reason = {"n": "not supported", "u": "support unknown"}.get(letter, "partly supported")
            limits = "".join(f" [#{n}: {feature.notes.get(n, '?')}]" for n in sorted(notes))
            problems.append(f"{client} {version}: {feature.title} ({slug}) {reason}{limits} — used in {places[0]}")
    return problems
