"""Files of content/ that the site would publish as they are (the files of
STATIC_PATHS, a notice's or banner's ``image``, what a text links with
``{static}``) and that a browser would run a script from, on the site's own
address: a web page file (``.html``, ``.xhtml``, ``.xml``; ``.xhtm``, which
Debian's mime.types, and so Apache and Python's server, serve as XHTML), and
an SVG picture (``.svg``, or gzipped ``.svgz``, which servers send as SVG
with Content-Encoding: gzip) that holds a script (a ``<script>``, an ``onload=``-like attribute,
a ``javascript:`` address, a frame or an embedded object).

A page shows an SVG in ``<img>`` without running its scripts, but the same
file opened by itself (a link to the poster, the picture opened in a new
tab, the address passed on) is a document of the site, and its script runs
there: what nh3 keeps out of every text (sotong.markup) came in through a
file. The SVG is read as a browser reads it (its own entities expanded,
nothing fetched); one that cannot be read so is named too, as it would show
no picture anyway.
"""

from __future__ import annotations

import functools
import gzip
import os
import re
from pathlib import Path

from lxml import etree

from .i18n import _

PAGE_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml", ".xhtm", ".xht", ".xml")
READ_INSIDE = (".svg", ".svgz")  # what :func:`script_problem` reads, not only names
# the endings of the files :func:`script_problem` may find a script in; it
# passes any other (a photo, a PDF) without a look, so a folder of thousands
# of pictures need not be resolved file by file to learn nothing
MAY_RUN = PAGE_SUFFIXES + READ_INSIDE
# elements that run or load a document of their own, in SVG or in the HTML of a foreignObject
_RUNNING = {"script", "handler", "listener", "iframe", "frame", "embed", "object", "applet", "meta", "base"}
_SCRIPT_ADDRESS = re.compile(r"(java|vb)script:", re.I)
_BLANKS = re.compile(r"[\x00-\x20]+")


def script_problem(path: str | os.PathLike, shown: str) -> str | None:
    """Why the file at ``path`` (named ``shown`` to staff) would run a script
    on the site once published, or None (also for a file that is not there)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in PAGE_SUFFIXES:
        return _('"{name}" is a web page file, which the site would publish as it is, scripts and all, on its own address; write its text as a notice or a page (content/pages/NAME.md), or give it as a PDF').format(
            name=shown)
    if suffix not in READ_INSIDE:
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    return _svg_problem(str(path), stat.st_mtime_ns, stat.st_size, shown)


@functools.lru_cache(maxsize=1024)
def _svg_problem(path: str, _mtime: int, _size: int, shown: str) -> str | None:
    """:func:`script_problem` of an SVG file, read once per version of it."""
    try:
        what = _script_in(_svg_tree(path))
    except (OSError, EOFError, etree.XMLSyntaxError) as error:
        return _('"{name}" is not an SVG picture browsers can read ({reason}); save it again as SVG, or as PNG').format(
            name=shown, reason=str(error).split(",")[0])
    if what is None:
        return None
    return _('the SVG picture "{name}" holds a script ({what}), which a browser runs on the site\'s own address when the picture is opened by itself; save it again without it (in Inkscape: 일반 SVG로 저장), or as PNG').format(
        name=shown, what=what)


SVGZ_MOST_BYTES = 20 * 1024 * 1024  # a .svgz unpacked: a few KB of gzip can unpack to gigabytes


def _svg_tree(path: str):
    """The SVG document at ``path`` as a browser reads it (its own entities
    expanded, nothing fetched); a .svgz unpacked first, OSError past SVGZ_MOST_BYTES."""
    parser = etree.XMLParser(resolve_entities="internal", no_network=True, load_dtd=False)
    if not path.lower().endswith(".svgz"):
        return etree.parse(path, parser)
    with gzip.open(path) as packed:
        data = packed.read(SVGZ_MOST_BYTES + 1)
    if len(data) > SVGZ_MOST_BYTES:
        raise OSError(f"more than {SVGZ_MOST_BYTES // 1024 // 1024} MB unpacked")
    return etree.ElementTree(etree.fromstring(data, parser))


def _script_in(tree) -> str | None:
    """The first thing in an SVG document that runs a script or loads a page, as written, or None."""
    root = tree.getroot()
    for node in [*root.itersiblings(preceding=True), *root.iter()]:
        if isinstance(node, etree._ProcessingInstruction):
            if node.target == "xml-stylesheet":
                return "<?xml-stylesheet?>"
            continue
        if not isinstance(node.tag, str):
            continue  # a comment
        name = etree.QName(node).localname
        if name.lower() in _RUNNING:
            return f"<{name}>"
        for attribute, value in node.attrib.items():
            local = etree.QName(attribute).localname
            if local.lower().startswith("on") or _SCRIPT_ADDRESS.search(_BLANKS.sub("", value)):
                return f'{local}="{value[:40]}"'
    return None
