"""Benchmark: start-up of ``sotong --help`` and ``sotong newsletter next``
beside ``pelican --help`` (the floor: Pelican's own import), in the repository.

Runs alternate (pelican, sotong --help, sotong newsletter next) so that a
loaded machine slows all three alike; prints each command's median wall time,
and the ratios to pelican's, median and min-max over the rounds.
Target (issue #16): each at most 1.3 x ``pelican --help``.

    .venv/bin/python benchmarks/startup.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COMMANDS = {
    "pelican --help": [str(BIN / "pelican"), "--help"],
    "sotong --help": [str(BIN / "sotong"), "--help"],
    "sotong newsletter next": [str(BIN / "sotong"), "newsletter", "next"],
}
TARGET = 1.3


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    for command in COMMANDS.values():  # warm the file cache and the .pyc files
        timed(command)
    times = {name: [] for name in COMMANDS}
    for _ in range(rounds):
        for name, command in COMMANDS.items():
            times[name].append(timed(command))
    floor = times["pelican --help"]
    print(f"{rounds} alternating rounds; pelican --help median {statistics.median(floor):.2f} s")
    for name in list(COMMANDS)[1:]:
        ratios = [ours / base for ours, base in zip(times[name], floor)]
        verdict = "meets" if statistics.median(ratios) <= TARGET else "MISSES"
        print(f"{name:24} median {statistics.median(times[name]):.2f} s, "
              f"{statistics.median(ratios):.2f} x pelican (spread {min(ratios):.2f}-{max(ratios):.2f}); "
              f"{verdict} the target {TARGET} x")


if __name__ == "__main__":
    main()
