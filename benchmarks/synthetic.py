"""Synthetic notices for the benchmarks: realistic Korean Markdown with YAML
front matter, valid against the project's audiences.yaml, made from a seed;
and what the benchmarks share around them: a temporary project holding N of
them, a settings file with the content cache off, a timed command, two
settings files' runs of one command compared in alternating pairs."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sotong.audiences import Audiences, load_audiences

REPO = Path(__file__).resolve().parent.parent

TOPICS = ["주민 노래자랑", "일자리 박람회", "독감 예방접종", "도서관 북토크", "김장 나눔 행사", "주민참여예산 투표",
          "생활폐기물 줄이기", "치매 조기검진", "대입 진학 상담", "민방위 교육", "지방세 납부", "송년 음악회"]
PLACES = ["성동구청 대강당", "성동구민종합체육센터", "성수아트홀", "왕십리광장", "금호동 주민센터"]
PARAGRAPH = ("성동구는 {topic} 행사를 {place}에서 엽니다. 구민 누구나 참여할 수 있으며, 자세한 일정과 신청 방법은 "
             "아래를 확인해 주세요. 참가 신청은 선착순으로 마감되니 서둘러 주시기 바랍니다.")


def notice_text(index: int, rng: random.Random, audiences: Audiences, start: dt.date) -> str:
    topic = rng.choice(TOPICS)
    place = rng.choice(PLACES)
    day = start + dt.timedelta(days=index % 365)
    front = [
        "---",
        f'title: "{topic} 안내 제{index}호"',
        f"date: {day.isoformat()} {rng.randint(9, 17):02d}:00",
        f"department: {rng.choice(audiences.departments)}",
        f"category: {rng.choice(list(audiences.fields))}",
    ]
    if rng.random() < 0.4:
        front.append(f"audiences: [{rng.choice(list(audiences.segments))}]")
    if rng.random() < 0.3:
        front.append("channels: [homepage, newsletter, email, sms, twitter]")
        front.append(f"sms: {topic} 신청 안내")
    if rng.random() < 0.2:
        front.append(f"expires: {(day + dt.timedelta(days=30)).isoformat()}")
    if rng.random() < 0.1:
        front.append(f'event: {{start: "{day.isoformat()} 14:00", end: "{day.isoformat()} 17:00", place: {place}}}')
    front.append("---")
    body = [PARAGRAPH.format(topic=topic, place=place), "", "## 신청 방법", "",
            f"- 기간: {day.month}월 {day.day}일까지", f"- 장소: {place}", "- 대상: 성동구민 누구나", "",
            PARAGRAPH.format(topic=topic, place=place), "", "문의: 홍보담당관 02-2286-5114", ""]
    return "\n".join(front + body)


def write_notices(folder: Path, count: int, audiences: Audiences, seed: int = 1,
                  start: dt.date = dt.date(2026, 1, 1)) -> list[Path]:
    """Write ``count`` notices into ``folder``; returns their paths."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = folder / f"n{index:05d}.md"
        path.write_text(notice_text(index, rng, audiences, start), encoding="utf-8")
        paths.append(path)
    return paths


def copy_settings_and_code(root: Path, extra_settings: str = "") -> None:
    """Copy the repository's pelicanconf.py (``extra_settings`` appended),
    audiences.yaml, themes/ and plugins/ into ``root``."""
    for name in ("pelicanconf.py", "audiences.yaml"):
        shutil.copy(REPO / name, root / name)
    if extra_settings:
        with open(root / "pelicanconf.py", "a", encoding="utf-8") as settings:
            settings.write(f"\n{extra_settings}\n")
    for name in ("themes", "plugins"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))


def import_population(root: Path, count: int, audiences: Audiences, *, seed: int, year: int):
    """Write ``count`` generated readers (sotong.population) to
    root/subscribers.csv and import them into the project's store, which is
    returned open."""
    from sotong.population import generate_population, write_csv
    from sotong.store import Store
    from sotong.subscribers import import_csv

    write_csv(root / "subscribers.csv", generate_population(count, audiences, seed=seed, year=year))
    store = Store.open(root / "private" / "sotong.db")
    import_csv(store, root / "subscribers.csv", audiences, year)
    return store


def make_project(root: Path, count: int, *, seed: int = 1) -> list[Path]:
    """Copy the repository's project into ``root`` (pelicanconf.py,
    audiences.yaml, themes/, plugins/, content/ without its notices) and
    write ``count`` synthetic notices into content/notices/; returns their paths."""
    copy_settings_and_code(root)
    shutil.copytree(REPO / "content", root / "content", ignore=shutil.ignore_patterns("notices"))
    return write_notices(root / "content" / "notices", count, load_audiences(root / "audiences.yaml"), seed)


def load_benchmark(name: str):
    """benchmarks/NAME.py as the module ``NAME_benchmark``: under its own name
    it would be taken for the plugin of that name (plugins/NAME) once a
    project's plugins are loaded in the same process."""
    spec = importlib.util.spec_from_file_location(f"{name}_benchmark", REPO / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_options(description: str) -> argparse.Namespace:
    """The build benchmarks' command line: --notices N (default 5,000), the
    synthetic notices of the project, and --pairs P (default 5), the
    alternating pairs of each comparison."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--notices", type=int, default=5000)
    add_pairs_option(parser)
    return parser.parse_args()


def add_pairs_option(parser: argparse.ArgumentParser, default: int = 5) -> None:
    parser.add_argument("--pairs", type=int, default=default, help="alternating pairs of each comparison "
                        f"(default {default}); 1 for a quick check")


def nocache_settings(root: Path, name: str, **settings) -> Path:
    """Write ``root/name``: the project's pelicanconf.py with Pelican's content
    cache off and each of ``settings`` set (``PLUGINS=[...]``, ``SOTONG_TODAY="..."``)."""
    lines = ["import os, sys", "sys.path.append(os.path.dirname(os.path.abspath(__file__)))",
             "from pelicanconf import *", "CACHE_CONTENT = False", "LOAD_CONTENT_CACHE = False"]
    lines += [f"{key} = {value!r}" for key, value in settings.items()]
    path = root / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def timed(command: list[str], cwd: Path, settle: float = 0.0) -> float:
    """Seconds ``command`` takes in ``cwd``; exits with its output if it fails.
    ``settle``: first flush the disk and wait, so that the writes and deletes
    of the previous run (this disk discards freed blocks) do not slow this one."""
    if settle:
        os.sync()
        time.sleep(settle)
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{completed.stdout}\n{completed.stderr}")
    return elapsed


@dataclass(frozen=True)
class Timing:
    """One measured run: wall and CPU seconds (user + system)."""

    wall: float
    cpu: float


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's ended children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_with_cpu(command: list[str], cwd: Path, settle: float = 0.0) -> Timing:
    """Wall and CPU seconds of one run of ``command`` (see ``timed``)."""
    cpu = children_cpu()
    wall = timed(command, cwd, settle)
    return Timing(wall, children_cpu() - cpu)


def in_process(action: Callable[[], object]) -> Timing:
    """Wall and CPU seconds of ``action()`` in this process."""
    started, cpu = time.perf_counter(), time.process_time()
    action()
    return Timing(time.perf_counter() - started, time.process_time() - cpu)


def alternating(pairs: int, first: Callable[[], object], second: Callable[[], object]) -> tuple[list, list]:
    """``first()`` and ``second()`` run in ``pairs`` pairs, ``first`` first in
    the even pairs and ``second`` first in the odd ones, so that a busy
    machine (or a disk still writing the run before) weighs on both alike;
    the two lists of what they returned."""
    firsts, seconds = [], []
    for pair in range(pairs):
        order = ((first, firsts), (second, seconds)) if pair % 2 == 0 else ((second, seconds), (first, firsts))
        for action, results in order:
            results.append(action())
    return firsts, seconds


SOTONG = str(Path(sys.executable).parent / "sotong")


def plugin_settings(root: Path, plugins: dict[str, list[str]], **settings) -> None:
    """Write each settings file NAME of ``plugins`` (NAME: its PLUGINS) into
    ``root`` (see ``nocache_settings``), today the last day of 2026 and each
    of ``settings`` set in all."""
    for name, names in plugins.items():
        nocache_settings(root, name, SOTONG_TODAY="2026-12-31", PLUGINS=names, **settings)


def warm_up(root: Path, names: Iterable[str]) -> None:
    """``sotong check -s NAME`` once for each settings file of ``names``, not
    timed: Python compiles the plugins, the disk caches the notices."""
    for name in names:
        timed([SOTONG, "check", "-s", name], root)


def settings_compared(root: Path, command: str, names: Iterable[str], pairs: int) -> tuple[list[Timing], list[Timing]]:
    """``sotong COMMAND -s NAME`` in ``root`` for the two settings files of
    ``names``, in ``pairs`` alternating pairs: the timings of each."""
    return alternating(pairs, *(lambda name=name: timed_with_cpu([SOTONG, command, "-s", name], root) for name in names))


def spread(values: Sequence[float], digits: int = 2) -> str:
    """``median (min-max)`` of ``values``."""
    return (f"{statistics.median(values):,.{digits}f} "
            f"({min(values):,.{digits}f}-{max(values):,.{digits}f})")


def ratios(candidate: Sequence[float], baseline: Sequence[float]) -> list[float]:
    """Each pair's candidate over its baseline."""
    return [mine / base for mine, base in zip(candidate, baseline)]


def compared(name: str, candidate: Sequence[float], baseline: Sequence[float], baseline_name: str,
             unit: str = "s", digits: int = 2, target: str = "") -> str:
    """One line: the candidate's figure, the baseline's from the same pairs
    and the pairs' ratios, each as median (min-max); ``target`` (such as
    "<= 1.3") adds whether the median ratio meets it."""
    each = ratios(candidate, baseline)
    line = (f"{name}: {spread(candidate, digits)} {unit}; {baseline_name}: {spread(baseline, digits)} {unit}; "
            f"ratio {spread(each)} x")
    if target:
        operator, bound = target.split()
        median = statistics.median(each)
        met = median <= float(bound) if operator == "<=" else median >= float(bound)
        line += f" (target {target} x: {'met' if met else 'MISSED'})"
    return line


def compared_timings(name: str, candidate: Sequence[Timing], baseline: Sequence[Timing], baseline_name: str,
                     target: str = "") -> str:
    """``compared`` for the wall and the CPU seconds of each run."""
    return "\n".join(compared(f"{name}, {label}", [getattr(t, unit) for t in candidate],
                              [getattr(t, unit) for t in baseline], baseline_name, target=target)
                     for unit, label in (("wall", "wall"), ("cpu", "CPU")))


def moment() -> str:
    """The time (UTC) and the load averages (1, 5, 15 minutes) now."""
    return (f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M:%S} UTC, load "
            + " ".join(f"{load:.1f}" for load in os.getloadavg()) + f" on {os.cpu_count()} cores")


@contextlib.contextmanager
def measuring(what: str) -> Iterator[None]:
    """Print what is measured, when and at what load, then the time and the
    load again at the end (its figures print between)."""
    print(f"== {what}\nstarted {moment()}", flush=True)
    try:
        yield
    finally:
        print(f"ended {moment()}", flush=True)
