"""Every line Sotong logs is said each time it is logged, also after Pelican
is imported (whose loggers drop a line said before, word for word, for the
rest of the process): a collector that runs for weeks says its "the store
could not be read" at each try, a send that waits twice says so twice."""

from __future__ import annotations

import logging
import uuid

from project_support import copy_project, invoke_sotong


def test_a_line_logged_twice_is_said_twice_by_loggers_made_before_and_after_the_plugins(tmp_path, caplog):
    project = copy_project(tmp_path)
    assert invoke_sotong(project, "check").code == 0  # Pelican imported, the plugins loaded
    line = f"the confirmation mails could not be read from the store: OperationalError ({uuid.uuid4()})"
    loggers = [logging.getLogger("sotong.subscriptions"), logging.getLogger("sotong.store"),
               logging.getLogger(f"sotong.made_later_{uuid.uuid4().hex}")]
    with caplog.at_level(logging.INFO):
        for log in loggers:
            log.warning(line)
            log.warning(line)
            log.info(line)
            log.info(line)
    said = [(record.name, record.levelno) for record in caplog.records if record.getMessage() == line]
    assert said == [(log.name, level) for log in loggers for level in (logging.WARNING,) * 2 + (logging.INFO,) * 2]
