"""Stopping the servers the tests start as subprocesses (sotong serve, the
devserver, Dovecot): asked to stop, then killed if they have not within
``seconds``, and always waited for, so no test leaves a process behind. And
waiting for what another process does in its own time."""

from __future__ import annotations

import subprocess
import time


def stop_process(process: subprocess.Popen, seconds: float = 10) -> None:
    """Terminate ``process``, kill it if it is still running after ``seconds``."""
    process.terminate()
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until(condition, seconds: float = 10, what: str = "the condition") -> None:
    """Return once ``condition()`` holds; fail the test if it has not within ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds} s"
        time.sleep(0.02)
