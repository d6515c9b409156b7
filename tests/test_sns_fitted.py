"""sns_sync.fitted: X posts fitted in the build before are taken from the
cache folder, so a rebuild with unchanged posts does not import
twitter-text; an edited post, another twitter-text version or a damaged
file fits again, and the feeds are what a build from nothing writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from project_support import run_sotong
from sns_sync import fitted as fitted_module
from sns_sync import weighted
from sns_sync.fitted import FILE_NAME, FittedPosts

URL = "https://example.org/notices/a/"
LONG = "성동구 한파 대비 안내 " * 40  # cut to fit


def _settings(tmp_path: Path, **changes) -> dict:
    return {"CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True, "CACHE_PATH": str(tmp_path), **changes}


def _forbid_weighing(monkeypatch):
    def weighing(*_args):
        raise AssertionError("weighed again")

    monkeypatch.setattr(weighted, "fit_post", weighing)


def _fitted_then_saved(settings: dict, *texts: str) -> list[str]:
    posts = FittedPosts(settings)
    fitted = [posts.fit(text, URL) for text in texts]
    posts.save()
    return fitted


def test_a_post_fitted_before_is_not_weighed_again(tmp_path, monkeypatch):
    first = _fitted_then_saved(_settings(tmp_path), LONG, "짧은 글")
    assert first == [weighted.fit_post(LONG, URL), f"짧은 글 {URL}"] and first[0].endswith(f"… {URL}")
    _forbid_weighing(monkeypatch)
    assert _fitted_then_saved(_settings(tmp_path), LONG, "짧은 글") == first


def test_an_edited_post_is_fitted_again_and_only_this_builds_posts_are_kept(tmp_path, monkeypatch):
    _fitted_then_saved(_settings(tmp_path), LONG, "짧은 글")
    assert _fitted_then_saved(_settings(tmp_path), "고친 글") == [f"고친 글 {URL}"]
    _forbid_weighing(monkeypatch)
    assert _fitted_then_saved(_settings(tmp_path), "고친 글") == [f"고친 글 {URL}"]
    with pytest.raises(AssertionError, match="weighed again"):
        FittedPosts(_settings(tmp_path)).fit(LONG, URL)


def test_another_twitter_text_version_fits_again(tmp_path, monkeypatch):
    _fitted_then_saved(_settings(tmp_path), "짧은 글")
    monkeypatch.setattr(fitted_module, "_counting_version", lambda: "99.0")
    assert FittedPosts(_settings(tmp_path)).known == {}


def test_posts_fitted_by_an_earlier_weighted_py_are_fitted_again(tmp_path, monkeypatch):
    """An upgrade of Sotong that changes how posts are fitted (weighted.py)
    kept the posts an earlier one fitted, in every dev build and preview,
    until their text changed; they are fitted again."""
    _fitted_then_saved(_settings(tmp_path / "cache"), "짧은 글")
    assert FittedPosts(_settings(tmp_path / "cache")).known != {}
    changed = tmp_path / "weighted.py"
    changed.write_bytes(fitted_module.FITTING_CODE.read_bytes() + b"\nELLIPSIS = '...'\n")
    monkeypatch.setattr(fitted_module, "FITTING_CODE", changed)
    assert FittedPosts(_settings(tmp_path / "cache")).known == {}


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"version": 1}', b'{"version": "3.0.0", "posts": [1]}'])
def test_a_damaged_file_is_ignored(tmp_path, damage):
    (tmp_path / FILE_NAME).write_bytes(damage)
    assert FittedPosts(_settings(tmp_path)).fit("짧은 글", URL) == f"짧은 글 {URL}"


def test_without_the_content_cache_nothing_is_kept(tmp_path):
    _fitted_then_saved(_settings(tmp_path, CACHE_CONTENT=False, LOAD_CONTENT_CACHE=False), "짧은 글")
    _fitted_then_saved(_settings(tmp_path, LOAD_CONTENT_CACHE=False), "짧은 글")
    assert (tmp_path / FILE_NAME).exists()
    assert FittedPosts(_settings(tmp_path, LOAD_CONTENT_CACHE=False)).known == {}


def _imports_twitter_text(result) -> bool:
    return any(line.startswith("import time:") and line.split("|")[-1].strip() == "twitter_text"
               for line in result.stderr.splitlines())


def test_a_rebuild_with_unchanged_posts_does_not_import_twitter_text(project_dir, tmp_path):
    importing = {"SOTONG_LANG": "en", "PYTHONPROFILEIMPORTTIME": "1"}
    first = run_sotong(project_dir, "build", env=importing)
    assert first.code == 0 and _imports_twitter_text(first), first.stderr[-2000:]
    notice = next(path for path in (project_dir / "content" / "notices").glob("*.md") if "twitter" in path.read_text(encoding="utf-8"))
    notice.write_text(notice.read_text(encoding="utf-8") + "\n본문 끝에 한 줄.\n", encoding="utf-8")
    again = run_sotong(project_dir, "build", env=importing)
    assert again.code == 0 and not _imports_twitter_text(again), again.stderr[-2000:]
    cold = tmp_path / "cold"
    shutil.copytree(project_dir, cold, ignore=shutil.ignore_patterns("output", ".output-*", ".cache"))
    assert run_sotong(cold, "build", env={"SOTONG_LANG": "en"}).code == 0
    for name in ("twitter.json", "twitter.xml"):
        assert (project_dir / "output" / "sns" / name).read_bytes() == (cold / "output" / "sns" / name).read_bytes()


def test_a_cut_post_still_to_go_out_is_warned_of_at_each_build_without_importing_twitter_text(project_dir):
    """A notice dated later whose X post is cut is warned of at every build
    until it goes out: its measures (weight, room, end) are kept as the
    fitted posts are, so the warning costs no import of twitter-text."""
    later = project_dir / "content" / "notices" / "2026-12-20-later.md"
    later.write_text("---\ntitle: 김장 나눔 자원봉사자 모집\ndate: 2026-12-20\ndepartment: 보건소\ncategory: health\n"
                     "channels: [homepage, twitter]\nsummary: " + "가" * 200 + "\n---\n본문\n", encoding="utf-8")
    importing = {"SOTONG_LANG": "en", "PYTHONPROFILEIMPORTTIME": "1"}
    said = "content/notices/2026-12-20-later.md:7: warning: the X post"
    first = run_sotong(project_dir, "build", env=importing)
    assert first.code == 0 and said in first.stderr + first.stdout and _imports_twitter_text(first)
    again = run_sotong(project_dir, "build", env=importing)
    assert again.code == 0 and said in again.stderr + again.stdout, again.stderr[-2000:]
    assert not _imports_twitter_text(again), again.stderr[-2000:]
