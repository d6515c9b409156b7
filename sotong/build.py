"""``sotong build``: check, then Pelican into a fresh folder that replaces
``output/`` only once it is complete, so a failed build never leaves a
half-written site to deploy.

Pelican logs (rather than raises) many failures, such as a plugin that does not
load or a file it could not read; any ERROR logged during the run fails the build.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from .check import check_project
from .problems import SotongError, collect_logged_errors
from .project import Project


def build_site(project: Project) -> dict:
    """Check and build; replace OUTPUT_PATH atomically. Returns figures."""
    started = time.perf_counter()
    problems = check_project(project)
    if problems:
        raise SotongError(problems)
    output = Path(project.settings["OUTPUT_PATH"])
    staging = output.parent / f".{output.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    settings = dict(project.settings, OUTPUT_PATH=str(staging), DELETE_OUTPUT_DIRECTORY=False)
    from pelican import Pelican

    try:
        with collect_logged_errors() as errors:
            Pelican(settings).run()
        if errors:
            raise SotongError([f"build failed, output/ left as it was: {message}" for message in errors])
    except SotongError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    except Exception as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise SotongError([f"build failed, output/ left as it was: {_describe(exc)}"]) from exc
    replace_folder(staging, output)
    return {"seconds": time.perf_counter() - started, "files": sum(len(f) for _, _, f in os.walk(output))}


def replace_folder(new: Path, target: Path) -> None:
    """Swap the finished build in; the old output is removed only afterwards."""
    old = target.parent / f".{target.name}.old-{os.getpid()}"
    if target.exists():
        os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old, ignore_errors=True)


def _describe(exc: Exception) -> str:
    from jinja2 import TemplateError, TemplateSyntaxError

    if isinstance(exc, TemplateSyntaxError):
        return f"{exc.filename or exc.name}:{exc.lineno}: template error: {exc.message}"
    if isinstance(exc, TemplateError):
        return f"template error: {exc}"
    return f"{type(exc).__name__}: {exc}"
