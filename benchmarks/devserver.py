"""Benchmark: save -> page updated, `sotong devserver` against Pelican's own
autoreload (`pelican --autoreload --listen`, what `make devserver` ran before)
in the same run, on copies of the same synthetic project.

For each size, each server is started on a free port and left to finish its
first build; then one notice is saved again and again (a new title each
time, a pause between saves so that builds do not overlap) and the time from
the save to the first answer of /notices/SLUG/ showing the new title is
measured. Prints the median and the range of each.

    .venv/bin/python benchmarks/devserver.py [--sizes 42 2000] [--saves 10 3]
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from synthetic import make_project  # noqa: E402

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
    except (urllib.error.URLError, OSError):
        return ""


def wait_for(url: str, text: str, timeout: float = 300) -> float:
    """Poll ``url`` every 10 ms until it shows ``text``; the time it took."""
    started = time.perf_counter()
    while text not in fetch(url):
        if time.perf_counter() - started > timeout:
            sys.exit(f"{url} never showed {text!r}")
        time.sleep(0.01)
    return time.perf_counter() - started


def retitle(path: Path, title: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r'^title: ".*"$', f'title: "{title}"', text, count=1, flags=re.M), encoding="utf-8")


def save_to_page(command: list[str], root: Path, saves: int, name: str) -> list[float]:
    """Start ``command`` (a server on its own port) in ``root``; seconds from each save to its page."""
    port = free_port()
    server = subprocess.Popen([*command, "--port", str(port)], cwd=root, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    notice = root / "content" / "notices" / "n00007.md"
    page = f"http://127.0.0.1:{port}/notices/n00007/"
    try:
        retitle(notice, f"{name} 준비")
        wait_for(page, f"{name} 준비", timeout=600)  # its first build (and one rebuild) are done
        figures = []
        for index in range(saves):
            time.sleep(PAUSE)
            title = f"{name} 저장 {index}"
            started = time.perf_counter()
            retitle(notice, title)
            wait_for(page, title)
            figures.append(time.perf_counter() - started)
        return figures
    finally:
        server.terminate()
        server.wait(30)


def describe(figures: list[float]) -> str:
    return (f"median {statistics.median(figures):5.2f} s  (range {min(figures):.2f}-{max(figures):.2f} s, "
            f"{len(figures)} saves)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[42, 2000])
    parser.add_argument("--saves", type=int, nargs="+", default=[10, 3], help="saves at each size")
    args = parser.parse_args()
    servers = {
        "sotong devserver": [str(BIN / "sotong"), "devserver"],
        "pelican --autoreload --listen": [str(BIN / "pelican"), "--autoreload", "--listen", "-s", "pelicanconf.py"],
    }
    for size, saves in zip(args.sizes, args.saves):
        with tempfile.TemporaryDirectory() as tmp:
            for name, command in servers.items():
                root = Path(tmp) / name.split()[0]
                root.mkdir()
                make_project(root, size)
                figures = save_to_page(command, root, saves, name.split()[0])
                print(f"{size:5d} notices  {name:30s} {describe(figures)}", flush=True)


if __name__ == "__main__":
    main()
