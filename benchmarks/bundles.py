"""Benchmark: `sotong bundles --issue D` for the whole district.

Generates N subscribers (default 100,000) with sotong.population into a
temporary store, and a window of synthetic notices (benchmarks/synthetic.py,
one a day for the two weeks of issue 2026-11-26), then, on this machine:
  1. `sotong bundles --issue 2026-11-26` as the operator runs it (process
     start included): wall time and peak RSS of that process;
  2. the floor: the same bytes written to the same number of files (every
     file of the outbox read back into memory, then written in one loop).
Both are measured in --pairs alternating pairs (default 5; 1 first in the
even pairs, 2 in the odd ones, writing what the pair before bundled), each
after a sync: this machine's disk and its neighbours vary a lot from one
minute to the next. Printed: each one's wall time and their ratio, as median
(min-max), with the time and the load at start and end. The files of a run
are moved aside, not deleted.
Targets (issue "Newsletter issues and personalized email and SMS bundles"):
1 under 20 s, peak memory under 1 GB, and 1 at most 3 x 2 (medians).

    .venv/bin/python benchmarks/bundles.py [--count 100000] [--pairs 5] [--profile]

--profile runs the bundling in this process under pyinstrument instead and
prints where the time goes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from sotong.audiences import load_audiences  # noqa: E402
from synthetic import (add_pairs_option, alternating, compared, copy_settings_and_code, import_population,  # noqa: E402
                       measuring, spread, write_notices)

ISSUE = dt.date(2026, 11, 26)
WINDOW_START = dt.date(2026, 11, 13)
TARGET_SECONDS, TARGET_RSS_MB, TARGET_RATIO = 20.0, 1024, 3.0
GNU_TIME = "/usr/bin/time"  # Debian package "time"


def make_project(root: Path, count: int) -> None:
    copy_settings_and_code(root, f'SOTONG_TODAY = "{ISSUE - dt.timedelta(days=3)}"')
    audiences = load_audiences(root / "audiences.yaml")
    write_notices(root / "content" / "notices", 14, audiences, seed=7, start=WINDOW_START)
    import_population(root, count, audiences, seed=1, year=ISSUE.year).close()


def floor_seconds(outbox: Path, scratch: Path) -> tuple[float, int, int]:
    """Time writing every file of ``outbox`` again under ``scratch``, from
    memory (the files are read first, the folders made first)."""
    files = [(scratch / p.relative_to(outbox), p.read_bytes()) for p in outbox.rglob("*") if p.is_file()]
    for folder in {target.parent for target, _ in files}:
        folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for target, data in files:
        with open(target, "wb") as file:
            file.write(data)
    return time.perf_counter() - started, len(files), sum(len(data) for _, data in files)


def profile(root: Path) -> None:
    from pyinstrument import Profiler

    from sotong.project import Project

    project = Project(root / "pelicanconf.py")
    project.activate_plugins()
    from bundles.outbox import issue_bundle, write_bundle  # noqa: E402  (the plugin, as Pelican loads it)

    profiler = Profiler()
    profiler.start()
    write_bundle(project, issue_bundle(project, ISSUE, "성동구 소통 소식"))
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))


def bundle_once(root: Path, sotong: str, outbox: Path) -> tuple[float, float, float]:
    """One `sotong bundles` after a sync, the outbox before moved aside (not
    deleted: deleting 40,000 files makes this disk slow for a while, which
    would favour the floor): wall and CPU seconds, peak RSS in MB."""
    if outbox.exists():
        outbox.rename(root / f"outbox-{len(list(root.glob('outbox-*')))}")
    os.sync()  # each measure starts with nothing waiting to be written
    started = time.perf_counter()
    # GNU time reports the peak RSS of sotong itself (RUSAGE_CHILDREN would
    # count this process's memory, copied into the child before it starts)
    completed = subprocess.run([GNU_TIME, "-f", "%U %S %M", sotong, "bundles", "--issue", ISSUE.isoformat()],
                               cwd=root, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if completed.returncode != 0:
        sys.exit(f"sotong bundles failed:\n{completed.stdout}\n{completed.stderr}")
    user, system, peak_kb = completed.stderr.strip().splitlines()[-1].split()
    print(f"sotong bundles {wall:.1f} s ({user} s user, {system} s system CPU)", flush=True)
    return wall, float(user) + float(system), int(peak_kb) / 1024


def floor_once(root: Path, outbox: Path) -> float:
    os.sync()
    floor, files, size = floor_seconds(outbox, root / f"floor-{len(list(root.glob('floor-*')))}")
    print(f"floor: the same {files:,} files ({size / 1e6:,.0f} MB) written in {floor:.1f} s", flush=True)
    return floor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    add_pairs_option(parser)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    sotong = str(Path(sys.executable).parent / "sotong")

    with tempfile.TemporaryDirectory() as tmp, \
            measuring(f"benchmarks/bundles.py: {args.count:,} subscribers, {args.pairs} alternating pairs"):
        root = Path(tmp)
        started = time.perf_counter()
        make_project(root, args.count)
        print(f"setup: {args.count:,} subscribers and 14 notices in {time.perf_counter() - started:.1f} s")
        if args.profile:
            return profile(root)
        outbox = root / "private" / "outbox" / ISSUE.isoformat()
        runs, floors = alternating(args.pairs, lambda: bundle_once(root, sotong, outbox),
                                   lambda: floor_once(root, outbox))
        report([run[0] for run in runs], [run[1] for run in runs], max(run[2] for run in runs), floors)


def report(walls: list[float], cpus: list[float], peak_mb: float, floors: list[float]) -> None:
    wall, ratio = statistics.median(walls), statistics.median(w / f for w, f in zip(walls, floors))
    print(compared(f"sotong bundles --issue {ISSUE}, wall", walls, floors, "writing the same files", digits=1,
                   target=f"<= {TARGET_RATIO:.0f}"))
    print(f"sotong bundles CPU (user + system): {spread(cpus, 1)} s; peak RSS {peak_mb:.0f} MB (the largest)")
    print(f"targets: wall <= {TARGET_SECONDS:.0f} s: {'met' if wall <= TARGET_SECONDS else 'MISSED'} ({wall:.1f} s); "
          f"peak <= {TARGET_RSS_MB} MB: {'met' if peak_mb <= TARGET_RSS_MB else 'MISSED'}; "
          f"ratio <= {TARGET_RATIO:.0f}: {'met' if ratio <= TARGET_RATIO else 'MISSED'} (medians)")


if __name__ == "__main__":
    main()
