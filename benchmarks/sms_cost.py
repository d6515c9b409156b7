"""Benchmark: what the texts of one issue cost (issue #12).

On the synthetic population of benchmarks/bundles.py (100,000 readers, the 14
notices of issue 2026-11-26, of which those with ``sms`` carry a text of at
most 30 bytes; the earliest of them is made urgent, as a cold-wave warning
would be), composes every reader's text as ``sotong bundles`` does (the
plugin's Bundler, nothing written) under SMS_POLICY "all" and "email-first",
with SHORT_LINK_BASE set ("https://sd.go.kr/s/") and not (SITEURL
"https://www.sd.go.kr/sotong"), and prints for each: emails, SMS and LMS,
the SMS share, the cost in won (SMS_PRICE 9, LMS_PRICE 27), and the share of
one-notice texts of at most 30 bytes that are SMS (target with
SHORT_LINK_BASE: 100 %).

    .venv/bin/python benchmarks/sms_cost.py [--count 100000]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from sotong.project import Project  # noqa: E402
from sotong.sms import MessageCounts, Prices, byte_length, count_messages, won  # noqa: E402
from synthetic import load_benchmark  # noqa: E402

bundles_benchmark = load_benchmark("bundles")
ISSUE = bundles_benchmark.ISSUE
SITEURL = "https://www.sd.go.kr/sotong"
SHORT_LINK_BASE = "https://sd.go.kr/s/"
PRICES = Prices(sms=9, lms=27)


def make_one_urgent(root: Path) -> str:
    """Mark the earliest SMS notice of the issue's window urgent; its slug."""
    for path in sorted((root / "content" / "notices").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        if "sms:" in text:
            path.write_text(text.replace("\n---\n", "\npriority: urgent\n---\n", 1), encoding="utf-8")
            return path.stem
    raise SystemExit("no SMS notice in the synthetic window")


def measure(root: Path, base: str | None, policy: str) -> tuple[MessageCounts, Counter, float]:
    """(messages by type, one-notice texts of <= 30 bytes by type, seconds)."""
    project = Project(root / "pelicanconf.py",
                      overrides={"SITEURL": SITEURL, "SHORT_LINK_BASE": base, "SMS_POLICY": policy})
    project.activate_plugins()
    from bundles.outbox import Bundler, issue_bundle  # the plugin, as Pelican loads it

    started = time.perf_counter()
    bundler = Bundler(project, issue_bundle(project, ISSUE, "성동구 소통 소식"))
    texts = {n.slug: n.sms_text for n in bundler.bundle.notices}
    types, short_ones = [], Counter()
    for subscriber in project.store.subscribers():
        if not subscriber.subscribed:
            continue
        plan = bundler.plan(subscriber)
        if bundler.emailed(subscriber, plan):
            types.append("EMAIL")
        text = bundler.text_of(subscriber, plan)
        if text is not None:
            types.append(text.type)
            if len(text.notices) == 1 and byte_length(texts[text.notices[0]]) <= 30:
                short_ones[text.type] += 1
    return count_messages(types), short_ones, time.perf_counter() - started


def lengthen_sms_texts(root: Path, size: int = 30) -> None:
    """Pad every notice's ``sms`` text with dots to ``size`` bytes: the
    longest text the 30-byte target covers."""
    for path in (root / "content" / "notices").glob("*.md"):
        text = path.read_text(encoding="utf-8")
        found = re.search(r"^sms: (.+)$", text, re.M)
        if found:
            padded = found.group(1) + "." * (size - byte_length(found.group(1)))
            path.write_text(text.replace(found.group(0), f"sms: {padded}"), encoding="utf-8")


def table(root: Path) -> dict:
    """Print one row per setting; (base, policy) -> cost in won."""
    print(f"{'SHORT_LINK_BASE':<22}{'SMS_POLICY':<13}{'email':>8}{'SMS':>8}{'LMS':>8}{'SMS share':>11}"
          f"{'cost':>14}{'1-notice <=30 B as SMS':>25}")
    costs = {}
    for base in (None, SHORT_LINK_BASE):
        for policy in ("all", "email-first"):
            counts, short_ones, seconds = measure(root, base, policy)
            texts = counts.sms + counts.lms
            costs[base, policy] = counts.cost(PRICES)
            one, as_sms = sum(short_ones.values()), short_ones["SMS"]
            share = f"{as_sms:,} of {one:,} ({as_sms / one if one else 1:.0%})"
            print(f"{base or '(none: SITEURL/n/)':<22}{policy:<13}{counts.email:>8,}{counts.sms:>8,}{counts.lms:>8,}"
                  f"{counts.sms / texts if texts else 0:>11.1%}{won(counts.cost(PRICES)):>14}{share:>25}"
                  f"   [{seconds:.1f} s]")
    for base in (None, SHORT_LINK_BASE):
        cut = 1 - costs[base, "email-first"] / costs[base, "all"]
        print(f"email-first cuts the texts' cost by {cut:.0%} with SHORT_LINK_BASE {base or 'unset'}")
    print(f"SHORT_LINK_BASE cuts the cost under all by {1 - costs[SHORT_LINK_BASE, 'all'] / costs[None, 'all']:.0%}")
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        bundles_benchmark.make_project(root, args.count)
        urgent = make_one_urgent(root)
        window = list((root / "content" / "notices").glob("*.md"))
        sms_texts = [m.group(1) for p in window if (m := re.search(r"^sms: (.+)$", p.read_text("utf-8"), re.M))]
        print(f"{args.count:,} readers; {len(window)} notices, {len(sms_texts)} with sms "
              f"({', '.join(f'{t} {byte_length(t)} B' for t in sms_texts)}); urgent: {urgent}\n")
        table(root)
        print("\nThe same, every sms text padded to 30 bytes:")
        lengthen_sms_texts(root)
        table(root)


if __name__ == "__main__":
    main()
