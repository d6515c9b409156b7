"""Benchmark: what the sns_sync plugin adds to `sotong build`, and how fast a
post is fitted into X's 280.

Generates N synthetic notices (default 5,000; the ~30% that go to X also go to
Facebook and the blog here) and a local feed of 50 posts to import, then times,
content cache off:
  1. `sotong build` with PLUGINS = core + homepage (the baseline);
  2. the same with sns_sync (six feeds, section/sns.html, SNS 소식 on the homepage);
  3. fit_post on a 100-character Korean title and a 200-character summary.
1 and 2 run in --pairs alternating pairs (default 5); printed: each one's
wall and CPU time and their ratio as median (min-max), with the time and
the load at start and end.
Target (README): the plugin adds at most 10% to the build.

    .venv/bin/python benchmarks/sns_sync_build.py [--notices 5000] [--pairs 5]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "plugins"))

from sns_sync.weighted import fit_post  # noqa: E402
from synthetic import (build_options, compared_timings, make_project, measuring, plugin_settings,  # noqa: E402
                       settings_compared, warm_up)

SETTINGS = {
    "settings_baseline.py": ["sotong.pelican_plugin", "homepage"],
    "settings_sns.py": ["sotong.pelican_plugin", "homepage", "sns_sync"],
}


def feed(posts: int) -> str:
    items = "".join(
        f"<item><title>성동구 소식 {n}</title><link>https://blog.example.kr/{n}</link>"
        f"<pubDate>Mon, {1 + n % 28:02d} Dec 2026 09:00:00 +0900</pubDate>"
        f"<description>&lt;p&gt;구민 여러분께 알려 드립니다 {n}.&lt;/p&gt;</description></item>"
        for n in range(posts))
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>성동구청 블로그</title>{items}</channel></rss>'


def project(root: Path, count: int) -> Path:
    for path in make_project(root, count):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("sms, twitter]", "sms, twitter, facebook, blog]"), encoding="utf-8")
    (root / "office-blog.xml").write_text(feed(50), encoding="utf-8")
    plugin_settings(root, SETTINGS, SNS_IMPORT_FEEDS=["office-blog.xml"])
    return root


def fits_per_second(seconds: float = 1.0) -> float:
    title = ("성동구 겨울철 한파 대비 취약계층 안전 점검 및 난방비 지원 안내 " * 4)[:100]
    summary = ("한파 특보가 발령되면 구청과 주민센터가 홀몸 어르신 가구를 찾아가 난방 상태를 살핍니다. " * 4)[:200]
    url = "https://www.sd.go.kr/sotong/notices/2026-11-21-cold-wave-warning/"
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        fit_post(f"[긴급] {title}\n{summary}", url)
        done += 1
    return done / (time.perf_counter() - started)


def main() -> None:
    args = build_options(__doc__.splitlines()[0])
    with tempfile.TemporaryDirectory() as tmp, \
            measuring(f"benchmarks/sns_sync_build.py: {args.notices} notices, {args.pairs} alternating pairs"):
        root = project(Path(tmp), args.notices)
        warm_up(root, SETTINGS)
        baseline, sns = settings_compared(root, "build", SETTINGS, args.pairs)
        items = (root / "output" / "sns" / "blog.xml").read_text(encoding="utf-8").count("<item>")
        print(f"{items} notices in each SNS feed (Pelican's FEED_MAX_ITEMS)")
        print(compared_timings("sotong build with sns_sync", sns, baseline, "core + homepage (baseline)", "<= 1.10"))
        print(f"fit_post (100-character title, 200-character summary): {fits_per_second():,.0f} posts/s")


if __name__ == "__main__":
    main()
