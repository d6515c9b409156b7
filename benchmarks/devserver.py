"""Benchmark: save -> page updated, `sotong devserver` against Pelican's own
autoreload (`pelican --autoreload --listen`, what `make devserver` ran before)
in the same run, on copies of the same synthetic project.

For each size, both servers are started (each on a free port, in its own copy
of the project) and left to finish their first build; then one notice is
saved again and again, alternately in each copy (a new title each time; the
next save only once the server says its build ended, and a pause). Measured:
the time from the save to the first answer of /notices/SLUG/ showing the new
title (Pelican writes that page before its build ends; the devserver switches
to the new build once it is complete), the time until the server says its
build ended, and the CPU time the server used for it (which the load of this
shared machine does not change). Each save is a pair (one in each copy,
the devserver first in the even ones, Pelican in the odd ones); prints the
median and the range of each figure and of the devserver's ratio to
Pelican's, with the time and the load at start and end.

    .venv/bin/python benchmarks/devserver.py [--sizes 42 2000] [--saves 10 3]   (--pairs: the same as --saves)
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# sotong's lines are read below: the English ones (the language costs nothing measurable)
os.environ["SOTONG_LANG"] = "en"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from synthetic import compared, make_project, measuring  # noqa: E402

BIN = Path(sys.executable).parent
PAUSE = 1.0  # seconds between saves: the previous rebuild has ended, the disk has settled


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8")
    except (OSError, http.client.HTTPException):  # not listening yet, or a page being written (Pelican)
        return ""


def wait_for(url: str, text: str, timeout: float = 300) -> float:
    """Poll ``url`` every 20 ms until it shows ``text``; the time it took."""
    started = time.perf_counter()
    while text not in fetch(url):
        if time.perf_counter() - started > timeout:
            sys.exit(f"{url} never showed {text!r}")
        time.sleep(0.02)
    return time.perf_counter() - started


def retitle(path: Path, title: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r'^title: ".*"$', f'title: "{title}"', text, count=1, flags=re.M), encoding="utf-8")


def builds_ended(log: Path, pattern: str) -> int:
    return len(re.findall(pattern, log.read_text(encoding="utf-8", errors="replace"), flags=re.M))


def wait_for_build(log: Path, pattern: str, count: int) -> None:
    """Wait until the server's terminal has said ``count`` builds ended, so that
    the next save does not land in a build (Pelican writes pages before its build ends)."""
    deadline = time.perf_counter() + 600
    while builds_ended(log, pattern) < count:
        if time.perf_counter() > deadline:
            sys.exit(f"{log}: never saw {count} builds end:\n{log.read_text()[-2000:]}")
        time.sleep(0.05)


class Server:
    """One server under test, started in its own copy of the project."""

    def __init__(self, name: str, command: list[str], done: str, root: Path):
        self.name, self.done, self.root = name, done, root
        self.log = root / "server.log"
        port = free_port()
        with open(self.log, "w") as terminal:
            self.process = subprocess.Popen([*command, "--port", str(port)], cwd=root, stdout=terminal,
                                            stderr=terminal, start_new_session=True)
        self.page = f"http://127.0.0.1:{port}/notices/n00007/"
        self.seconds: list[float] = []  # save -> page shows it
        self.built: list[float] = []  # save -> the server says the build ended
        self.cpu: list[float] = []

    def save_and_wait(self, title: str) -> None:
        """Save, time until the page shows it, then wait for the build's end."""
        ended = builds_ended(self.log, self.done)
        used = cpu_seconds(self.process.pid)
        started = time.perf_counter()
        retitle(self.root / "content" / "notices" / "n00007.md", title)
        wait_for(self.page, title)
        self.seconds.append(time.perf_counter() - started)
        wait_for_build(self.log, self.done, ended + 1)
        self.built.append(time.perf_counter() - started)
        self.cpu.append(cpu_seconds(self.process.pid) - used)

    def stop(self) -> None:
        """The server and the processes it started (Pelican serves from a child)."""
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(30)


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and its children (Pelican serves from a child)."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += cpu_seconds(int(child))
    except OSError:
        pass
    return total


def describe(figures: list[float]) -> str:
    return f"median {statistics.median(figures):5.2f} s ({min(figures):.2f}-{max(figures):.2f})"


def measure(size: int, saves: int, tmp: Path) -> None:
    """Both servers up at once, idle but for the save being measured; saves
    alternate between them so that both meet the same load on this shared machine."""
    servers = []
    for name, (command, done) in SERVERS.items():
        root = tmp / name.split()[0]
        root.mkdir()
        make_project(root, size)
        servers.append(Server(name, command, done, root))
    try:
        for server in servers:
            wait_for_build(server.log, server.done, 1)
        for index in range(saves + 1):  # the first save of each warms it up
            for server in (servers if index % 2 == 0 else servers[::-1]):
                time.sleep(PAUSE)
                server.save_and_wait(f"{server.name.split()[0]} 저장 {index}")
        for server in servers:
            print(f"{size:5d} notices  {server.name:30s} save -> page {describe(server.seconds[1:])}, "
                  f"save -> build ended {describe(server.built[1:])}, CPU per rebuild {describe(server.cpu[1:])}, "
                  f"{saves} saves", flush=True)
        ours, pelican = servers
        for figure, label in (("seconds", "save -> page"), ("built", "save -> build ended"), ("cpu", "CPU per rebuild")):
            print(compared(f"{size:5d} notices  sotong devserver, {label}", getattr(ours, figure)[1:],
                           getattr(pelican, figure)[1:], "Pelican's autoreload"), flush=True)
    finally:
        for server in servers:
            server.stop()


SERVERS = {  # the command, and how its terminal says that a build ended
    "sotong devserver": ([str(BIN / "sotong"), "devserver"], r"^build (done|failed)"),
    "pelican --autoreload --listen": ([str(BIN / "pelican"), "--autoreload", "--listen", "-s", "pelicanconf.py"],
                                      r"^Done: Processed"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[42, 2000])
    parser.add_argument("--saves", "--pairs", type=int, nargs="+", default=[10, 3],
                        help="saves at each size, each a pair (one in each server)")
    args = parser.parse_args()
    for size, saves in zip(args.sizes, args.saves):
        with tempfile.TemporaryDirectory() as tmp, \
                measuring(f"benchmarks/devserver.py: {size} notices, {saves} alternating pairs of saves"):
            measure(size, saves, Path(tmp))


if __name__ == "__main__":
    main()
