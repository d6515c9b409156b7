"""`make mutants`: mutation testing (cosmic-ray) of the rules that decide who
gets what, each module against only the tests that check it.

cosmic-ray changes the module on disk, one mutant at a time, and runs the
tests; so each module is mutated in its own copy of the work tree
(.mutants/NAME/tree), never in the checkout. Results: .mutants/NAME/session.sqlite
(`cr-report`, `cr-html` read it) and .mutants/NAME/survivors.txt (the diff of
every mutant no test noticed).

    python mutation/run.py [--jobs N] [NAME ...]    (default: every module, one at a time)
"""

from __future__ import annotations

import argparse
import ast
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / ".mutants"

# name: (module, the pytest arguments of the tests that check it)
MODULES = {
    "sms": ("sotong/sms.py", ["tests/test_sms.py", "tests/test_sms_cost.py"]),
    "rules": ("plugins/bundles/rules.py", ["tests/test_bundle_rules.py", "tests/test_bundles.py", "-k",
                                           "rules or select_reads or same_key or blocks_that_fit"]),
    "audiences": ("sotong/audiences.py", ["tests/test_audiences.py", "tests/test_audiences_match.py"]),
    "schedule": ("sotong/schedule.py", ["tests/test_schedule.py"]),
    "weighted": ("plugins/sns_sync/weighted.py", ["tests/test_weighted.py"]),
}

# The usual set (PIT's and mutmut's defaults): + to - and * (one off, no
# step), numbers +-1, comparisons to their boundary (< to <=) and negation
# (< to >=), and/or, not, True/False, loops run zero times, exceptions,
# decorators. Left out: arithmetic turned into division, modulo, powers or bit
# arithmetic, and the other comparison variants (< to ==, != or is): the same
# inputs kill them, and each would cost a run of the tests.
COMPARISONS = "Eq|NotEq|Lt|LtE|Gt|GtE"
EXCLUDED_OPERATORS = [
    r"core/ReplaceBinaryOperator_\w+_(Div|FloorDiv|Mod|Pow|LShift|RShift|BitOr|BitAnd|BitXor)$",
    rf"core/ReplaceComparisonOperator_({COMPARISONS})_(Is|IsNot)$",
    rf"core/ReplaceComparisonOperator_(Is|IsNot)_({COMPARISONS})$",
    r"core/ReplaceComparisonOperator_(Lt|LtE|Gt|GtE)_(Eq|NotEq)$",
    r"core/ReplaceComparisonOperator_(Eq|NotEq)_(Lt|LtE|Gt|GtE)$",
    r"core/ReplaceComparisonOperator_(Lt_Gt|Gt_Lt|LtE_GtE|GtE_LtE)$",
]


def copy_tree(dest: Path) -> None:
    """The checkout's files (tracked, and new ones not ignored) as they are now."""
    shutil.rmtree(dest, ignore_errors=True)
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO, check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)


def pytest_command(tests: list[str]) -> list[str]:
    """pytest stopping at the first failure, without the example database (a
    mutant is killed by the tests, not by what failed under an earlier one)."""
    return [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:xdist", "-p", "no:cacheprovider",
            "--hypothesis-profile=mutants", *tests]


def write_config(folder: Path, module: str, tests: list[str], timeout: float) -> Path:
    """cosmic-ray's configuration of one module's session."""
    config = folder / "config.toml"
    operators = ", ".join(f'"{pattern}"' for pattern in EXCLUDED_OPERATORS).replace("\\", "\\\\")
    config.write_text(
        "[cosmic-ray]\n"
        f'module-path = "{module}"\n'
        f"timeout = {timeout:.0f}\n"
        "excluded-modules = []\n"
        f"test-command = {shlex.join(pytest_command(tests))!r}\n\n"
        "[cosmic-ray.distributor]\nname = \"local\"\n\n"
        f"[cosmic-ray.filters.operators-filter]\nexclude-operators = [{operators}]\n",
        encoding="utf-8")
    return config


def cosmic_ray(tool: str, *args, tree: Path) -> None:
    """Run one of cosmic-ray's commands in ``tree`` (whose modules it imports)."""
    subprocess.run([str(Path(sys.executable).parent / tool), *map(str, args)], cwd=tree, check=True,
                   env=dict(os.environ, PYTHONPATH=str(tree)), stdout=subprocess.DEVNULL)


def counts(session: Path) -> tuple[int, int]:
    """(mutants with a result, all mutants) of a session."""
    with sqlite3.connect(session) as db:
        return (db.execute("SELECT count(*) FROM work_results").fetchone()[0],
                db.execute("SELECT count(*) FROM work_items").fetchone()[0])


def annotation_spans(source: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Where the module's type annotations are: with ``from __future__ import
    annotations`` they are never evaluated, so a mutant there is equivalent."""
    spans = []
    for node in ast.walk(ast.parse(source)):
        notes = [getattr(node, "returns", None), getattr(node, "annotation", None)]
        for note in filter(None, notes):
            spans.append(((note.lineno, note.col_offset), (note.end_lineno, note.end_col_offset)))
    return spans


def skip_annotations(session: Path, module: Path) -> None:
    """Mark the mutants inside annotations skipped, as cosmic-ray's filters do."""
    spans = annotation_spans(module.read_text(encoding="utf-8"))
    with sqlite3.connect(session) as db:
        mutants = db.execute("SELECT job_id, start_pos_row, start_pos_col FROM mutation_specs").fetchall()
        for job_id, row, col in mutants:
            if any(start <= (row, col) < end for start, end in spans):
                db.execute("INSERT OR REPLACE INTO work_results (job_id, worker_outcome, output) "
                           "VALUES (?, 'SKIPPED', 'in an annotation')", (job_id,))


def prepare(name: str, resume: bool) -> tuple[Path, Path]:
    """A fresh copy of the tree and, unless resuming the last session, its
    tests checked unmutated and the session's mutants listed (the excluded
    operators and annotations marked skipped)."""
    module, tests = MODULES[name]
    folder = WORK / name
    tree, config, session = folder / "tree", folder / "config.toml", folder / "session.sqlite"
    copy_tree(tree)
    if resume and session.exists():
        return config, session
    started = time.monotonic()
    baseline = subprocess.run(pytest_command(tests), cwd=tree, capture_output=True, text=True,
                              env=dict(os.environ, PYTHONPATH=str(tree)))
    if baseline.returncode:
        raise RuntimeError(f"{name}: the tests fail without any mutant:\n{baseline.stdout[-3000:]}")
    write_config(folder, module, tests, timeout=max(45.0, 3 * (time.monotonic() - started)))
    session.unlink(missing_ok=True)
    cosmic_ray("cosmic-ray", "init", config, session, tree=tree)
    cosmic_ray("cr-filter-operators", session, config, tree=tree)
    skip_annotations(session, tree / module)
    return config, session


def run_mutants(config: Path, session: Path, seconds: float, survivors: bool = False) -> None:
    """What `cosmic-ray exec` does with its local distributor, stopping
    after ``seconds``: cosmic-ray hands out the pending mutants in random
    order, so a run cut short has tested a random sample of them.
    ``survivors``: test again the mutants that survived (after new tests)."""
    from cosmic_ray.config import load_config
    from cosmic_ray.mutating import mutate_and_test
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome

    settings = load_config(str(config))
    deadline = time.monotonic() + seconds
    with use_db(str(session), WorkDB.Mode.open) as db:
        items = ([item for item, result in db.completed_work_items if result.test_outcome == TestOutcome.SURVIVED]
                 if survivors else db.pending_work_items)
        for item in items:
            if time.monotonic() > deadline:
                return
            db.set_result(item.job_id, mutate_and_test(item.mutations, settings.test_command, settings.timeout))


def execute(name: str, progress: Progress, minutes: float | None, resume: bool, survivors: bool) -> None:
    """Run the mutants of one module (for ``minutes`` at most), showing how many are done."""
    config, session = prepare(name, resume or survivors)
    done, total = counts(session)
    task = progress.add_task(name, total=total, completed=done)
    tree = WORK / name / "tree"
    seconds = str(minutes * 60 if minutes else float("inf"))
    command = ("python", __file__, "--exec", config, session, seconds, *(["--survivors"] if survivors else []))
    running = threading.Thread(target=cosmic_ray, args=command, kwargs={"tree": tree})
    running.start()
    while running.is_alive():
        running.join(2)
        progress.update(task, completed=counts(session)[0])
    write_survivors(name, session)


def summary(session: Path) -> dict:
    """Mutants run, killed (a test failed or timed out) and survived."""
    with sqlite3.connect(session) as db:
        rows = db.execute("SELECT lower(worker_outcome), lower(test_outcome), output FROM work_results").fetchall()
        items = db.execute("SELECT count(*) FROM work_items").fetchone()[0]
    ran = [(test, output) for worker, test, output in rows if worker != "skipped"]
    return {"mutants": len(ran), "untested": items - len(rows), "killed": sum(t != "survived" for t, _ in ran),
            "survived": sum(t == "survived" for t, _ in ran), "timed out": sum(o == "timeout" for _, o in ran)}


def write_survivors(name: str, session: Path) -> None:
    with sqlite3.connect(session) as db:
        diffs = db.execute(
            "SELECT s.operator_name, s.start_pos_row, s.definition_name, r.diff, r.output "
            "FROM work_results r JOIN mutation_specs s "
            "ON s.job_id = r.job_id WHERE lower(r.test_outcome) = 'survived' OR r.output = 'timeout' "
            "ORDER BY s.start_pos_row").fetchall()
    text = "".join(f"--- {operator} (line {row}, in {where}){' timed out' if outcome == 'timeout' else ''}\n{diff}\n"
                   for operator, row, where, diff, outcome in diffs)
    (WORK / name / "survivors.txt").write_text(text, encoding="utf-8")


def figures_line(name: str) -> str:
    """One module's figures, as printed at the end."""
    figures = summary(WORK / name / "session.sqlite")
    score = figures["killed"] / figures["mutants"] if figures["mutants"] else 1
    untested = f" (and {figures['untested']} left untested)" if figures["untested"] else ""
    return (f"{MODULES[name][0]:<30} {figures['mutants']:>4} mutants{untested}, {figures['killed']:>4} killed, "
            f"{figures['survived']:>3} survived ({score:.1%}; {figures['timed out']} by the time limit)  "
            f".mutants/{name}/survivors.txt")


def run_all(names: list[str], jobs: int, progress: Progress, minutes: float | None, resume: bool,
            survivors: bool) -> None:
    """Every module's mutants, ``jobs`` modules at a time; stops at a module
    whose tests fail unmutated."""
    pending, failures, lock = list(names), [], threading.Lock()

    def worker():
        while not failures:
            with lock:
                if not pending:
                    return
                name = pending.pop(0)
            try:
                execute(name, progress, minutes, resume, survivors)
            except (RuntimeError, subprocess.CalledProcessError) as exc:
                progress.console.print(f"{name}: {exc}")
                failures.append(exc)

    workers = [threading.Thread(target=worker) for _ in range(jobs)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    if failures:
        sys.exit(str(failures[0]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"modules: {', '.join(MODULES)} (default: all)")
    parser.add_argument("--jobs", type=int, default=1, help="modules mutated at once (default 1)")
    parser.add_argument("--minutes", type=float, help="stop each module after this long (a random sample)")
    parser.add_argument("--resume", action="store_true", help="go on with the mutants the last run left untested")
    parser.add_argument("--survivors", action="store_true", help="test again the last run's survivors")
    parser.add_argument("--exec", nargs=3, metavar=("CONFIG", "SESSION", "SECONDS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.exec:
        config, session, seconds = args.exec
        return run_mutants(Path(config), Path(session), float(seconds), args.survivors)
    unknown = [name for name in args.names if name not in MODULES]
    if unknown:
        parser.error(f"unknown module {unknown[0]}; write one of {', '.join(MODULES)}")
    names = args.names or list(MODULES)
    console = Console()
    columns = (TextColumn("{task.description:>10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        run_all(names, max(1, args.jobs), progress, args.minutes, args.resume, args.survivors)
    for name in names:
        console.print(figures_line(name))

if __name__ == "__main__":
    main()
