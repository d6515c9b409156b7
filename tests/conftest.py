"""Shared fixtures: a copy of the sample project in a temporary folder, a
fresh store on each backend, and the ``sotong`` CLI to run in it (as a
subprocess, or in this process); what they hand out lives in
project_support.py, which tests import instead of this file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from project_support import BACKENDS, copy_project, invoke_sotong, new_store_location, run_sotong

# The tests of existing behaviour read the messages in English (SPEC §12:
# SOTONG_LANG=en); set here, before sotong is imported, so that the commands
# the tests run as subprocesses inherit it. tests/test_i18n.py asks for Korean.
os.environ["SOTONG_LANG"] = "en"

# `make mutants` (mutation/run.py): no example database, so a mutant is killed
# by the tests themselves, not by an example that failed under an earlier one;
# no time limits, so a busy machine kills no mutant; 30 examples where a test
# sets no count of its own
settings.register_profile("mutants", database=None, deadline=None, max_examples=30,
                          suppress_health_check=[HealthCheck.too_slow])
# every run: the tests check answers, not speed (benchmarks/ measures that), so
# a machine busy with other work (2 cores, a browser test beside) fails nothing
settings.register_profile("sotong", deadline=None, suppress_health_check=[HealthCheck.too_slow])
# CI (.ci/run): the same examples on every run, so a landing is never refused
# by a draw that no one has seen; the random search runs on developers' machines
settings.register_profile("ci", parent=settings.get_profile("sotong"), derandomize=True, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "sotong"))


@pytest.fixture(params=BACKENDS)
def store_location(request, tmp_path) -> str:
    """SOTONG_DB for a fresh store, once per backend (SPEC §15)."""
    return new_store_location(request.param, tmp_path)


@pytest.fixture
def project_dir(tmp_path) -> Path:
    """A full copy of the sample project in tmp_path."""
    return copy_project(tmp_path)


@pytest.fixture
def empty_project_dir(tmp_path) -> Path:
    """The sample project without notices: tests write their own."""
    return copy_project(tmp_path, notices=False)


@pytest.fixture
def sotong():
    """``sotong`` as a subprocess, as the operator runs it."""
    return run_sotong


@pytest.fixture
def cli():
    """``sotong`` in this process: ``cli(project, "check")`` gives the code and output."""
    return invoke_sotong


@pytest.fixture
def korean_check(cli, monkeypatch):
    """``korean_check(project)``: ``sotong check`` run as staff run it, in
    Korean, on a project it must find wrong (exit 1): the lines it said."""
    monkeypatch.setenv("SOTONG_LANG", "ko")

    def failed_check(project) -> list[str]:
        result = cli(project, "check")
        assert result.code == 1, result.output
        return result.stderr.splitlines()

    return failed_check


@pytest.fixture(autouse=True, scope="module")
def collector_apps_closed():
    """The collector apps (``sotong.web.App``) a test module made and left
    open are closed when it ends: their threads (the store's checkpoint, the
    sign-up mails) touch SQLite every second or so, and a later module's fork
    (``sotong bundles``' part writers) made while one of them held SQLite's
    own lock left the forked process waiting for it for ever (a whole run
    hung in tests/test_bundles_jobs.py)."""
    from sotong import web

    made, making = [], web.App.__init__

    def made_and_kept(app, *args, **kwargs):
        making(app, *args, **kwargs)
        made.append(app)

    web.App.__init__ = made_and_kept
    try:
        yield
    finally:
        web.App.__init__ = making
        for app in made:
            app.close()
