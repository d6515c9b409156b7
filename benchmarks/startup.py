"""Benchmark: start-up of ``sotong --help`` and ``sotong newsletter next``
beside ``pelican --help`` (the floor: Pelican's own import), in the repository.

Runs as installed, with the modules' bytecode written once (not with
PYTHONDONTWRITEBYTECODE, which would compile sotong's modules at every start
while Pelican's come compiled by pip). Runs alternate (pelican, sotong
--help, sotong newsletter next) so that a loaded machine slows all three
alike; prints the time and the machine's load, each command's median wall
and CPU time (user + system of the child), and the ratios to pelican's,
median and min-max over the rounds (the CPU ratio is the steadier on a busy
machine).
Target (issue #16): each at most 1.3 x ``pelican --help``.

    .venv/bin/python benchmarks/startup.py [--rounds 7]   (--pairs: the same)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
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
# As installed: Python writes each module's bytecode once and reads it after (pip did so for Pelican's
# modules). A shell with PYTHONDONTWRITEBYTECODE set would compile sotong's own modules at every start.
ENVIRONMENT = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run."""
    start, cpu = time.perf_counter(), _children_cpu()
    subprocess.run(command, cwd=REPO, env=ENVIRONMENT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start, _children_cpu() - cpu


def _line(name: str, ours: list[float], floor: list[float], unit: str) -> str:
    ratios = [mine / base for mine, base in zip(ours, floor)]
    verdict = "meets" if statistics.median(ratios) <= TARGET else "MISSES"
    return (f"{name:24} {unit} median {statistics.median(ours):.2f} s, {statistics.median(ratios):.2f} x pelican "
            f"(spread {min(ratios):.2f}-{max(ratios):.2f}); {verdict} the target {TARGET} x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", "--pairs", type=int, default=7, help="alternating rounds of the three commands")
    rounds = parser.parse_args().rounds
    started, load_before = dt.datetime.now(dt.timezone.utc), os.getloadavg()[0]
    for command in COMMANDS.values():  # warm the file cache and the .pyc files
        timed(command)
    times = {name: [] for name in COMMANDS}
    for _ in range(rounds):
        for name, command in COMMANDS.items():
            times[name].append(timed(command))
    floor = times["pelican --help"]
    print(f"{started:%Y-%m-%d %H:%M} UTC, load {load_before:.1f} -> {os.getloadavg()[0]:.1f} (1 min)")
    print(f"{rounds} alternating rounds; pelican --help median wall "
          f"{statistics.median(w for w, _ in floor):.2f} s, CPU {statistics.median(c for _, c in floor):.2f} s")
    for name in list(COMMANDS)[1:]:
        for unit, index in (("wall", 0), ("CPU ", 1)):
            print(_line(name, [run[index] for run in times[name]], [run[index] for run in floor], unit))


if __name__ == "__main__":
    main()
