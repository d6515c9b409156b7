"""The Nu HTML Checker (vnu.jar from the npm package vnu-jar, run with Java),
run once over many documents (it is slow to start), its errors grouped by file.
"""

from __future__ import annotations

import json
import subprocess
from collections import defaultdict
from pathlib import Path
from urllib.parse import unquote, urlsplit


def vnu_errors(jar: Path, java: str, paths: list[Path]) -> dict[Path, list[str]]:
    """The errors vnu reports for ``paths`` (HTML files, or folders: their .html
    files), by resolved file path, one line each: ``LINE: message (extract)``."""
    completed = subprocess.run(
        [java, "-Xss2m", "-jar", str(jar), "--errors-only", "--skip-non-html", "--format", "json", "--stdout",
         *map(str, paths)],
        capture_output=True, text=True, timeout=300)
    try:
        report = json.loads(completed.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(f"vnu gave no JSON report (exit {completed.returncode}):\n"
                           f"{completed.stdout[-2000:]}\n{completed.stderr[-2000:]}") from None
    errors: dict[Path, list[str]] = defaultdict(list)
    for message in report["messages"]:
        if message["type"] not in ("error", "non-document-error"):
            continue
        path = Path(unquote(urlsplit(message.get("url", "")).path)).resolve()
        extract = (message.get("extract") or "").strip().replace("\n", " ")[:80]
        errors[path].append(f"{message.get('lastLine', '?')}: {message['message']}" + (f" ({extract})" if extract else ""))
    return dict(errors)
