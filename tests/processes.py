"""Stopping the servers the tests start as subprocesses (sotong serve, the
devserver, Dovecot): asked to stop, then killed if they have not within
``seconds``, and always waited for, so no test leaves a process behind."""

from __future__ import annotations

import subprocess


def stop_process(process: subprocess.Popen, seconds: float = 10) -> None:
    """Terminate ``process``, kill it if it is still running after ``seconds``."""
    process.terminate()
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
