"""The benchmarks' shared way of comparing a figure with its baseline from the
same run (benchmarks/synthetic.py, issue #16): alternating pairs, and lines
of "median (min-max)" of each side and of their ratios."""

from __future__ import annotations

import importlib.util
import re
import statistics
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

# loaded by its path: benchmarks/ on sys.path would hide the plugins named
# like a benchmark (bundles, minwon24) from the other tests of this worker
_SPEC = importlib.util.spec_from_file_location(
    "synthetic_benchmark", Path(__file__).resolve().parent.parent / "benchmarks" / "synthetic.py")
synthetic = sys.modules[_SPEC.name] = importlib.util.module_from_spec(_SPEC)  # for its dataclass
_SPEC.loader.exec_module(synthetic)
alternating, compared, measuring, ratios, spread = (synthetic.alternating, synthetic.compared, synthetic.measuring,
                                                    synthetic.ratios, synthetic.spread)

FIGURES = st.lists(st.floats(0.01, 1000, allow_nan=False), min_size=1, max_size=9)


@settings(max_examples=30)
@given(st.integers(0, 9))
def test_each_side_runs_once_a_pair_and_they_take_turns_going_first(pairs):
    calls: list[str] = []

    def run(side: str):
        calls.append(side)
        return len(calls)  # where in the sequence it ran

    firsts, seconds = alternating(pairs, lambda: run("a"), lambda: run("b"))
    assert calls == [side for pair in range(pairs) for side in (("a", "b") if pair % 2 == 0 else ("b", "a"))]
    assert firsts == [2 * pair + (1 if pair % 2 == 0 else 2) for pair in range(pairs)]
    assert seconds == [2 * pair + (2 if pair % 2 == 0 else 1) for pair in range(pairs)]


@settings(max_examples=50)
@given(FIGURES)
def test_spread_is_the_median_then_the_smallest_and_the_largest(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    assert spread(values, 3) == f"{median:,.3f} ({ordered[0]:,.3f}-{ordered[-1]:,.3f})"


@settings(max_examples=50)
@given(st.data())
def test_a_comparison_shows_both_sides_and_the_pairs_ratios(data):
    baseline = data.draw(FIGURES)
    candidate = data.draw(st.lists(st.floats(0.01, 1000, allow_nan=False), min_size=len(baseline),
                                   max_size=len(baseline)))
    bound = data.draw(st.sampled_from([0.25, 1.0, 1.3, 3.0]))
    line = compared("sotong", candidate, baseline, "floor", target=f"<= {bound}")
    each = [mine / base for mine, base in zip(candidate, baseline)]
    assert ratios(candidate, baseline) == each
    assert line.startswith(f"sotong: {spread(candidate)} s; floor: {spread(baseline)} s; ratio {spread(each)} x")
    met = statistics.median(each) <= bound
    assert line.endswith(f"(target <= {bound} x: {'met' if met else 'MISSED'})")
    assert compared("two", [3.0], [1.0], "one", target=">= 1.5").endswith("(target >= 1.5 x: met)")
    assert "target" not in compared("plain", candidate, baseline, "floor")


def test_a_measure_says_when_it_started_and_ended_and_at_what_load(capsys):
    with measuring("benchmarks/x.py: 5 pairs"):
        print("figures")
    lines = capsys.readouterr().out.splitlines()
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, load \d+\.\d \d+\.\d \d+\.\d on \d+ cores"
    assert lines[0] == "== benchmarks/x.py: 5 pairs"
    assert re.fullmatch(f"started {stamp}", lines[1]) and lines[2] == "figures"
    assert re.fullmatch(f"ended {stamp}", lines[3])


def test_two_settings_files_are_written_and_their_runs_of_one_command_compared(tmp_path):
    synthetic.make_project(tmp_path, 3)  # settings files not named as a plugin is: they are importable
    synthetic.plugin_settings(tmp_path, {"settings_core.py": ["sotong.pelican_plugin"],
                                         "settings_homepage.py": ["sotong.pelican_plugin", "homepage"]}, SITENAME="벤치")
    assert (tmp_path / "settings_homepage.py").read_text(encoding="utf-8").splitlines()[-3:] == [
        "SOTONG_TODAY = '2026-12-31'", "PLUGINS = ['sotong.pelican_plugin', 'homepage']", "SITENAME = '벤치'"]
    core, homepage = synthetic.settings_compared(tmp_path, "check", ["settings_core.py", "settings_homepage.py"], 1)
    assert len(core) == len(homepage) == 1 and core[0].wall > 0 and homepage[0].cpu > 0
    with pytest.raises(SystemExit, match=f"{re.escape(synthetic.SOTONG)} check -s settings_missing.py failed"):
        synthetic.settings_compared(tmp_path, "check", ["settings_core.py", "settings_missing.py"], 1)
