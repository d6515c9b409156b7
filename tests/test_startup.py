"""Start-up (issue #16): plugin commands are listed from a light registration
and imported only when they run, so ``--help`` and light commands import no
heavy library; the listing is the same as the commands' own help."""

from __future__ import annotations

import json
import subprocess
import sys

from blinker import Signal
from project_support import REPO, copy_project

from sotong.signals import connect_lazily

HEAVY = ("twitter_text", "icalendar", "feedparser", "emoji", "dkim", "flufl.bounce", "werkzeug",
         "waitress", "smtplib", "imaplib", "psycopg",
         # the store (and sqlite3) are opened by the commands that use them, not by reading the settings
         "sqlite3", "sotong.store", "survey.storage",
         # what reading notices needs, imported when they are read (receivers connected lazily)
         "yaml", "email_validator", "nh3", "sotong.notices", "sotong.audiences", "sotong.markup", "sotong.links",
         "homepage.", "minwon24.", "subscriptions.", "bundles.", "survey.config", "survey.schema", "sns_sync.")
COMMANDS = ["bounces", "build", "bundles", "check", "db", "devserver", "new", "newsletter", "opinions", "preview", "reach",
            "report", "send", "serve", "subscribers", "survey"]

_IMPORTED_AFTER = """
import json, sys
from sotong.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(name for name in sys.modules if name.startswith(tuple(json.loads(%r))))))
"""

_HELP_PAIRS = """
import json
from sotong import signals
from sotong.cli import LazyCommand, cli
from sotong.project import Project

Project("pelicanconf.py").activate_plugins()
signals.cli_commands.send(cli)
pairs = []
for group in (cli, cli.commands["subscribers"]):
    for name, command in group.commands.items():
        if isinstance(command, LazyCommand):
            real = command.load()
            for limit in (45, 200):
                pairs.append([name, command.get_short_help_str(limit), real.get_short_help_str(limit)])
print(json.dumps(pairs))
"""


def _python(code: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[-1]


def _heavy_imported(*args: str) -> list[str]:
    return json.loads(_python(_IMPORTED_AFTER % json.dumps(HEAVY), *args))


def test_help_lists_every_command(sotong):
    result = sotong(REPO, "--help")
    names = [line.split()[0] for line in result.stdout.split("Commands:")[1].strip().splitlines()]
    assert names == COMMANDS


def test_help_imports_no_heavy_module():
    assert _heavy_imported("--help") == []


def test_newsletter_next_imports_no_heavy_module():
    assert _heavy_imported("newsletter", "next") == []


def test_the_subscriber_import_loads_neither_pelican_nor_a_plugin(tmp_path):
    """`subscribers import` reads the settings file without Pelican (most of
    a second) and loads no plugin: it needs the store, audiences.yaml and a
    few settings."""
    project = copy_project(tmp_path)
    (project / "s.csv").write_text(
        "id,name,email,phone,birth_year,gender,dong,fields,channels,kind,business_type,subscribed_at,unsubscribed_at\n"
        "S1,김민서,kim@example.com,,,,,,email,,,2026-01-05,\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", _IMPORTED_AFTER % json.dumps(["pelican.", "homepage", "subscriptions", "bundles"]),
                           "subscribers", "import", "s.csv"], cwd=project, capture_output=True, text=True, timeout=300)
    assert "1 added" in done.stdout or "추가 1명" in done.stdout, done.stdout + done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []


def test_lazy_commands_list_their_own_help():
    pairs = json.loads(_python(_HELP_PAIRS))
    assert {name for name, _lazy, _real in pairs} >= {"send", "report", "bounces", "bundles", "preview",
                                                      "newsletter", "survey", "unsubscribe", "reach", "changes", "forget"}
    for name, lazy, real in pairs:
        assert lazy == real, name


def test_lazy_commands_go_into_the_group_or_the_subgroup_named_and_nowhere_if_it_is_missing():
    import click

    from sotong.cli import LazyCommand, add_lazy_commands

    top = click.Group("sotong", commands=[click.Group("subscribers")])
    add_lazy_commands(top, "plugin", [("a", "commands:a", "A."), ("b", "more:b", "B.")])
    add_lazy_commands(top, "plugin", [("c", "commands:c", "C.")], under="subscribers")
    add_lazy_commands(top, "plugin", [("d", "commands:d", "D.")], under="db")  # no such group here
    assert {name: command.target for name, command in top.commands.items() if isinstance(command, LazyCommand)} == {
        "a": "plugin.commands:a", "b": "plugin.more:b"}
    assert [(command.name, command.target, command.help) for command in top.commands["subscribers"].commands.values()] == [
        ("c", "plugin.commands:c", "C.")]
    assert set(top.commands) == {"a", "b", "subscribers"}


def test_a_lazy_command_runs_its_subcommands(sotong):
    result = sotong(REPO, "send", "results", "--help")
    assert result.code == 0, result.stderr
    assert "Import the SMS agency's result file" in result.stdout


def test_a_lazy_receiver_imports_its_module_when_sent_and_is_connected_once(tmp_path, monkeypatch):
    (tmp_path / "lazy_target.py").write_text("def receive(sender, **kwargs):\n    return sender, kwargs\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    signal = Signal()
    for _registration in range(2):  # Pelican and the sotong command both register the plugins
        connect_lazily(signal, "lazy_target:receive")
    assert len(signal.receivers) == 1 and "lazy_target" not in sys.modules
    try:
        assert [result for _receiver, result in signal.send("pelican", feed=1)] == [("pelican", {"feed": 1})]
        assert "lazy_target" in sys.modules
    finally:
        sys.modules.pop("lazy_target", None)


def test_the_core_commands_help_names_no_feature(sotong):
    """``sotong/`` names no feature (ARCHITECTURE): the help of its commands
    says what they do whatever plugins are loaded."""
    for command in ("check", "build", "new", "db", "serve", "devserver"):
        result = sotong(REPO, command, "--help")
        assert result.code == 0, result.stderr
        words = result.stdout.lower()
        assert not [feature for feature in ("survey", "banner", "opinion", "bundle", "bounce", "newsletter", "unsubscribe")
                    if feature in words], (command, result.stdout)
