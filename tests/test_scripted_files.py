"""A file the site publishes as it is (under content/images/, a notice's or
banner's ``image``, a ``{static}`` link) that a browser would run a script
from on the site's own address: a web page file, an SVG picture holding a
script. ``check`` (and so ``build``) named none of them and the site
published them as they were: a poster opened by itself ran its script as
a page of the district's site. Each is now a problem at its file or its
line; SVG pictures as drawing programs write them pass."""

from __future__ import annotations

import gzip

import pytest
from project_support import REPO, run_sotong

from sotong.check import _scripted_files, check_project
from sotong.project import Project
from sotong.scripted_files import MAY_RUN, script_problem

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">{}</svg>'
XHTML = 'xmlns="http://www.w3.org/1999/xhtml"'
# each runs a script when the file is opened by itself (tests/browser/test_svg_scripts.py runs those that need no tap)
SCRIPTED = {
    "script": SVG.format("<script>document.title = 'ran'</script>"),
    "onload": SVG.replace("<svg ", "<svg onload=\"document.title = 'ran'\" ").format(""),
    "entity": '<!DOCTYPE svg [<!ENTITY run "<script>document.title = \'ran\'</script>">]>' + SVG.format("&run;"),
    "foreign-html": SVG.format(f"<foreignObject width='10' height='10'><div {XHTML}><img src='x' "
                               "onerror=\"document.title = 'ran'\"/></div></foreignObject>"),
    "foreign-iframe": SVG.format(f"<foreignObject width='10' height='10'><iframe {XHTML} "
                                 "srcdoc=\"&lt;script>parent.document.title = 'ran'&lt;/script>\"/></foreignObject>"),
    "link": SVG.format('<a xlink:href="&#106;ava&#9;script:alert(1)"><rect width="10" height="10"/></a>'),
    "animated-link": SVG.format('<a href="#"><set attributeName="href" to="javascript:alert(1)"/><rect width="9"/></a>'),
    "stylesheet": '<?xml-stylesheet type="text/xsl" href="run.xsl"?>' + SVG.format(""),
}
# as Inkscape and Illustrator write them: namespaces of their own, an entity of the DOCTYPE, words about scripts
PLAIN = {
    "inkscape": SVG.replace("<svg ", '<svg xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
                            'inkscape:version="1.3" ').format('<rect inkscape:label="onion" width="10" height="10"/>'),
    "illustrator": '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
                   '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" [<!ENTITY ns_flows "http://ns.adobe.com/Flows/1.0/">]>'
                   + SVG.replace("<svg ", '<svg xmlns:x="&ns_flows;" ').format('<text>javascript 강좌 onload</text>'),
    "css": SVG.format("<style>rect { fill: #0a6; }</style><rect width='10' height='10'/>"),
}


@pytest.mark.parametrize("name", SCRIPTED)
def test_an_svg_that_runs_a_script_is_named(tmp_path, name):
    path = tmp_path / "poster.svg"
    path.write_text(SCRIPTED[name], encoding="utf-8")
    assert "holds a script" in script_problem(path, "images/poster.svg")


@pytest.mark.parametrize("name", PLAIN)
def test_an_svg_as_drawing_programs_write_it_passes(tmp_path, name):
    path = tmp_path / "poster.svg"
    path.write_text(PLAIN[name], encoding="utf-8")
    assert script_problem(path, "images/poster.svg") is None


def test_the_samples_pictures_pass():
    for picture in (REPO / "content" / "images").iterdir():
        assert script_problem(picture, picture.name) is None, picture


def test_an_svg_that_loads_a_file_or_is_broken_is_named(tmp_path):
    path = tmp_path / "poster.svg"
    path.write_text('<!DOCTYPE svg [<!ENTITY p SYSTEM "file:///etc/passwd">]>' + SVG.format("&p;"), encoding="utf-8")
    assert "is not an SVG picture browsers can read" in script_problem(path, "images/poster.svg")
    path.write_text(SVG.format("<rect>"), encoding="utf-8")
    assert "is not an SVG picture browsers can read" in script_problem(path, "images/poster.svg")


def test_check_names_each_published_file_that_runs_a_script(empty_project_dir):
    content = empty_project_dir / "content"
    (content / "images" / "poster.svg").write_text(SCRIPTED["onload"], encoding="utf-8")
    (content / "images" / "leaflet.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    (content / "files").mkdir(exist_ok=True)
    (content / "files" / "map.svg").write_text(SCRIPTED["script"], encoding="utf-8")
    (content / "files" / "guide.xhtml").write_text("<p/>", encoding="utf-8")
    (content / "files" / "plain.svg").write_text(PLAIN["inkscape"], encoding="utf-8")
    (content / "notices" / "poster.md").write_text(
        "---\ntitle: 포스터\ndate: 2026-11-05\ndepartment: 문화체육과\ncategory: culture\n"
        "image: files/map.svg\nimage_alt: 지도\n---\n"
        "[지도 크게 보기]({static}/files/map.svg) ![지도]({static}/files/plain.svg)\n\n"
        "[안내문]({static}/files/guide.xhtml)\n", encoding="utf-8")
    banner = (REPO / "content" / "banners" / "local-tax-online.yaml").read_text(encoding="utf-8")
    (content / "banners" / "local-tax-online.yaml").write_text(
        banner.replace("image: images/local-tax-online.svg", "image: images/poster.svg"), encoding="utf-8")
    found = [(f"{p.path}:{p.line}", p.message) for p in check_project(Project(empty_project_dir / "pelicanconf.py"))]
    script, page = "holds a script", "is a web page file"
    assert len(found) == 6, found
    assert [(where, f'"{name}"' in message and kind in message) for (where, message), (name, kind) in zip(found, [
        ("images/poster.svg", script), ("content/images/leaflet.html", page), ("content/images/poster.svg", script),
        ("files/map.svg", script), ("{static}/files/map.svg", script), ("{static}/files/guide.xhtml", page)])] == [
        ("content/banners/local-tax-online.yaml:7", True), ("content/images/leaflet.html:1", True),
        ("content/images/poster.svg:1", True), ("content/notices/poster.md:6", True),
        ("content/notices/poster.md:9", True), ("content/notices/poster.md:11", True)]


def test_a_folder_of_pictures_is_scanned_by_name_and_only_what_may_run_is_looked_at(tmp_path):
    """A folder of thousands of photos cost check a resolved path and a
    shown name each (170-220 ms of CPU for 2,000, most of the folder scans'
    cost), to learn nothing: a photo runs nothing. Only a file whose name
    may run a script is looked at now, in capitals too."""
    content = tmp_path / "content"
    images = content / "images"
    images.mkdir(parents=True)
    for name in ("photo.jpg", "scan.PNG", "guide.pdf", "notes.txt", "poster.svg.bak"):
        (images / name).write_bytes(b"\x89PNG")
    (images / "POSTER.SVG").write_text(SCRIPTED["script"], encoding="utf-8")
    (images / "Leaflet.HTM").write_text("<script>alert(1)</script>", encoding="utf-8")
    looked_at = []

    def shown(path):
        looked_at.append(path.name)
        return f"content/images/{path.name}"

    found = _scripted_files(images, content, shown)
    assert sorted(problem.path for problem in found) == ["content/images/Leaflet.HTM", "content/images/POSTER.SVG"]
    assert sorted(set(looked_at)) == ["Leaflet.HTM", "POSTER.SVG"]


@pytest.mark.parametrize("name", ["a.html", "a.HTM", "a.shtml", "a.xhtml", "a.xhtm", "a.xht", "a.XML", "a.svg", "a.Svg",
                                  "a.svgz", "a.jpg", "a.html.jpg", ".html", "a.", "a"])
def test_what_script_problem_may_name_ends_as_may_run_says(tmp_path, name):
    path = tmp_path / name
    path.write_text(SCRIPTED["script"] if name.lower().endswith((".svg", ".svgz")) else "<script>alert(1)</script>",
                    encoding="utf-8")
    if script_problem(path, name) is not None:
        assert name.lower().endswith(MAY_RUN)


def test_a_page_named_xhtm_and_a_gzipped_svg_with_a_script_are_named_and_plain_ones_pass(tmp_path):
    """Debian's mime.types (Apache's, Python's server's) serve .xhtm as XHTML,
    and a .svgz goes out as SVG with Content-Encoding: gzip: each ran its
    script as a page of the site (tests/browser/test_svg_scripts.py), and
    check let both through, reading neither."""
    (tmp_path / "leaflet.xhtm").write_text(f"<html {XHTML}><body><p>안내</p></body></html>", encoding="utf-8")
    assert "is a web page file" in script_problem(tmp_path / "leaflet.xhtm", "images/leaflet.xhtm")
    for name, text in (("scripted", SCRIPTED["onload"]), ("plain", PLAIN["inkscape"])):
        (tmp_path / f"{name}.svgz").write_bytes(gzip.compress(text.encode()))
    assert "holds a script (onload=" in script_problem(tmp_path / "scripted.svgz", "images/map.svgz")
    assert script_problem(tmp_path / "plain.svgz", "images/plain.svgz") is None
    (tmp_path / "styled.svgz").write_bytes(gzip.compress(SCRIPTED["stylesheet"].encode()))  # before the root: read too
    assert "holds a script (<?xml-stylesheet?>)" in script_problem(tmp_path / "styled.svgz", "images/styled.svgz")
    (tmp_path / "bomb.svgz").write_bytes(gzip.compress(SVG.format("<g/>" * 6_000_000).encode()))  # 24 MB from 24 KB
    assert "is not an SVG picture browsers can read (more than 20 MB unpacked)" in script_problem(
        tmp_path / "bomb.svgz", "images/bomb.svgz")


def test_a_script_put_into_a_linked_svg_later_is_named_with_the_notice_cache_on(empty_project_dir):
    """The dev settings keep each notice's verdict while it and the names of
    the files under content/ are unchanged: a picture outside content/images/
    that a notice links, saved again with a script, passed every check
    after the first until the notice itself was saved again."""
    (empty_project_dir / "content" / "files").mkdir(exist_ok=True)
    picture = empty_project_dir / "content" / "files" / "map.svg"
    picture.write_text(PLAIN["inkscape"], encoding="utf-8")
    (empty_project_dir / "content" / "notices" / "map.md").write_text(
        "---\ntitle: 지도\ndate: 2026-11-05\ndepartment: 문화체육과\ncategory: culture\n---\n"
        "[지도 크게 보기]({static}/files/map.svg)\n", encoding="utf-8")
    assert run_sotong(empty_project_dir, "check").code == 0
    picture.write_text(SCRIPTED["script"], encoding="utf-8")
    result = run_sotong(empty_project_dir, "check")
    assert result.code == 1 and 'content/notices/map.md:7: the SVG picture "{static}/files/map.svg" holds a script' \
        in result.stderr, result.output
