"""``sotong devserver`` run as staff run it: a real process on a free port
(``--port 0``, the address read from its first line), with helpers to fetch
its pages over HTTP and to wait for what a save should change."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from processes import stop_process


@dataclass
class Page:
    status: int
    text: str


@dataclass
class Devserver:
    process: subprocess.Popen
    base: str = ""
    lines: list = field(default_factory=list)

    def get(self, path: str = "/") -> Page:
        try:
            with urllib.request.urlopen(self.base + path, timeout=10) as response:
                return Page(response.status, response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            return Page(error.code, error.read().decode("utf-8"))
        except OSError as error:  # not listening (yet, or while it starts again)
            return Page(0, str(error))

    def wait_for(self, path: str, condition, timeout: float = 180) -> Page:
        """GET ``path`` until ``condition(page)`` holds; fails with the last page and the terminal."""
        deadline = time.monotonic() + timeout
        while True:
            page = self.get(path)
            if condition(page):
                return page
            if time.monotonic() > deadline:
                raise AssertionError(f"{path} never matched ({page.status}); terminal:\n{self.terminal}\nlast page:\n{page.text[:3000]}")
            time.sleep(0.05)

    def wait_for_line(self, pattern: str, after: int = 0, timeout: float = 180) -> int:
        """The index of the first terminal line from ``after`` on that matches ``pattern``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for index in range(after, len(self.lines)):
                if re.search(pattern, self.lines[index]):
                    return index
            time.sleep(0.02)
        raise AssertionError(f"no line matching {pattern!r}; terminal:\n{self.terminal}")

    @property
    def terminal(self) -> str:
        return "\n".join(self.lines)

    def cpu_seconds(self) -> float:
        """User + system CPU time the server and its build process have used so far."""
        return process_cpu_seconds(self.process.pid)


def process_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    for task in Path(f"/proc/{pid}/task").iterdir():
        total += sum(process_cpu_seconds(int(child)) for child in (task / "children").read_text().split())
    return total


def start_devserver(project: Path, *args: str) -> Devserver:
    """Start ``sotong devserver --port 0`` in ``project``; returns once it listens."""
    process = subprocess.Popen([sys.executable, "-m", "sotong", "devserver", "--port", "0", *args], cwd=project,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    server = Devserver(process)

    def read_terminal():
        for line in process.stderr:
            server.lines.append(line.rstrip("\n"))

    threading.Thread(target=read_terminal, daemon=True).start()
    try:
        index = server.wait_for_line(r"http://127\.0\.0\.1:\d+/")
    except BaseException:
        stop_devserver(server)
        raise
    server.base = re.search(r"http://127\.0\.0\.1:\d+", server.lines[index]).group(0)
    return server


def stop_devserver(server: Devserver) -> None:
    stop_process(server.process)


def built_devserver(project: Path):
    """A module fixture's body: the devserver on ``project`` once its first
    build has ended (done or failed), stopped after the module's tests."""
    server = start_devserver(project)
    server.wait_for_line(r"^build (done|failed)")
    yield server
    stop_devserver(server)


def write_notice(project: Path, name: str, title: str, extra: str = "", body: str = "본문입니다.") -> Path:
    """A valid notice (unless ``extra`` breaks it) in content/notices/."""
    path = project / "content" / "notices" / name
    path.write_text(f"---\ntitle: {title}\ndate: 2026-11-05\ndepartment: 문화체육과\ncategory: culture\n{extra}---\n{body}\n",
                    encoding="utf-8")
    return path
