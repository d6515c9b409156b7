"""Benchmark: `sotong subscribers import` and `export` on a synthetic population.

Generates N subscribers (default 100,000) with sotong.population, writes them
as the e-communication CSV (UTF-8 with BOM), then times, on this machine:
  1. the import into an empty store (every row added);
  2. the same file again (every row unchanged);
  3. a file where every row changed (every row updated);
  4. the export of the whole store.
Each figure is the command as the operator runs it (`sotong ...`, process
start included), and the import's own time in-process, without it.
Target (issue "Newsletter issues and personalized email and SMS bundles"):
100,000 rows import in a few seconds, i.e. 1 <= 5 s.

    .venv/bin/python benchmarks/import.py [--count 100000]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

from sotong.audiences import load_audiences  # noqa: E402
from sotong.population import generate_population, write_csv  # noqa: E402
from sotong.store import Store  # noqa: E402
from sotong.subscribers import import_csv  # noqa: E402
from synthetic import timed  # noqa: E402

YEAR = 2026
TARGET_SECONDS = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    sotong = str(Path(sys.executable).parent / "sotong")

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name in ("pelicanconf.py", "audiences.yaml"):
            shutil.copy(REPO / name, root / name)
        with open(root / "pelicanconf.py", "a", encoding="utf-8") as settings:  # no content, no other plugins
            settings.write(f'\nPLUGINS = ["sotong.pelican_plugin"]\nSOTONG_TODAY = "{YEAR}-11-23"\n')
        (root / "content" / "notices").mkdir(parents=True)
        shutil.copytree(REPO / "themes", root / "themes")
        audiences = load_audiences(root / "audiences.yaml")
        rows = generate_population(args.count, audiences, seed=1, year=YEAR)
        write_csv(root / "subscribers.csv", rows)
        for row in rows:
            row["fields"] = "bulletin" if row["fields"] != "bulletin" else "culture"
        write_csv(root / "changed.csv", rows)
        megabytes = (root / "subscribers.csv").stat().st_size / 1e6

        added = timed([sotong, "subscribers", "import", "subscribers.csv"], root)
        unchanged = timed([sotong, "subscribers", "import", "subscribers.csv"], root)
        updated = timed([sotong, "subscribers", "import", "changed.csv"], root)
        exported = timed([sotong, "subscribers", "export", "out.csv"], root)
        startup = timed([sotong, "subscribers", "--help"], root)

        store = Store.open(root / "fresh.db")
        started = time.perf_counter()
        report = import_csv(store, root / "subscribers.csv", audiences, YEAR)
        in_process = time.perf_counter() - started
        assert report.added == args.count and report.rejected == 0

    print(f"{args.count:,} subscribers, CSV {megabytes:.1f} MB (UTF-8 with BOM)")
    print(f"  sotong start-up (subscribers --help): {startup:6.2f} s")
    print(f"  1. import, all added:                 {added:6.2f} s   (in-process: {in_process:.2f} s)")
    print(f"  2. import, all unchanged:             {unchanged:6.2f} s")
    print(f"  3. import, all updated:               {updated:6.2f} s")
    print(f"  4. export:                            {exported:6.2f} s")
    verdict = "met" if added <= TARGET_SECONDS else "MISSED"
    print(f"Target: 1 <= {TARGET_SECONDS:.0f} s ({verdict}: {added:.2f} s, {args.count / added:,.0f} rows/s)")


if __name__ == "__main__":
    main()
