"""A settings file that cannot be loaded is exit 1 with its reason, for every
command (SPEC §12): core commands and the ones plugins add alike (those are
only known once the settings load, so "No such command" would hide the reason)."""

from __future__ import annotations

import shutil

import pytest

from project_support import REPO, copy_project
from sotong.tokens import DEV_SECRET

COMMANDS = [
    ("check",),
    ("send", "--issue", "2026-11-26"),
    ("send", "report", "--issue", "2026-11-26"),
    ("survey", "results", "budget-vote-2027"),
    ("subscribers", "unsubscribe", "--phones", "phones.txt"),
    ("subscribers", "import", "phones.txt"),  # its settings read without Pelican (#16)
]


@pytest.fixture
def settings_dir(tmp_path):
    for name in ("pelicanconf.py", "publishconf.py"):
        shutil.copy(REPO / name, tmp_path / name)
    (tmp_path / "broken.py").write_text('SITENAME = "x"\nPLUGINS = [\n', encoding="utf-8")
    (tmp_path / "phones.txt").write_text("010-1234-5678\n", encoding="utf-8")
    return tmp_path


def assert_one_reason(result, reason):
    assert result.code == 1, result.output
    assert reason in result.stderr
    assert "No such command" not in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_publishconf_without_the_secret_says_so_for_every_command(sotong, settings_dir, command):
    result = sotong(settings_dir, *command, "-s", "publishconf.py", env={"SOTONG_SECRET": ""})
    assert_one_reason(result, "publishconf.py:1: SOTONG_SECRET is not set")


@pytest.mark.parametrize("command", [COMMANDS[0], COMMANDS[1], COMMANDS[4], COMMANDS[5]], ids=" ".join)
def test_a_settings_file_with_a_syntax_error_names_its_line(sotong, settings_dir, command):
    result = sotong(settings_dir, *command, "-s", "broken.py")
    assert_one_reason(result, "broken.py:2: the settings file is not valid Python")


@pytest.mark.parametrize("encoding", ["cp949", "utf-16"])
def test_a_settings_file_saved_in_another_encoding_says_to_save_it_as_utf8(sotong, settings_dir, encoding):
    """pelicanconf.py saved by Notepad as ANSI (CP949) or "Unicode" (UTF-16):
    check said Python's English ("(unicode error) 'utf-8' codec can't
    decode...", "source code string cannot contain null bytes", the latter
    at line "None"); now the one line every other file of staff's says, at
    the line of the first character that is not (UTF-16's mark is line 1)."""
    text = (settings_dir / "pelicanconf.py").read_text(encoding="utf-8")
    (settings_dir / "pelicanconf.py").write_bytes(text.encode(encoding))
    result = sotong(settings_dir, "check", env={"SOTONG_LANG": "ko"})
    assert result.code == 1 and "Traceback" not in result.output
    first_korean = next(number for number, line in enumerate(text.splitlines(), 1) if not line.isascii())
    line = first_korean if encoding == "cp949" else 1
    assert first_korean > 1 and result.stderr.splitlines() == [
        f"pelicanconf.py:{line}: 파일이 UTF-8 글자가 아닙니다. 인코딩을 UTF-8로 골라 다시 저장하세요 (메모장: 다른 이름으로 저장, 인코딩: UTF-8)"]


@pytest.mark.parametrize("command", [COMMANDS[0], COMMANDS[1], COMMANDS[4], COMMANDS[5]], ids=" ".join)
def test_a_missing_settings_file_is_exit_1_not_a_usage_error(sotong, settings_dir, command):
    result = sotong(settings_dir, *command, "-s", "nowhere.py")
    assert_one_reason(result, "nowhere.py: settings file not found")


def test_an_unknown_command_with_good_settings_is_still_a_usage_error(sotong, empty_project_dir):
    result = sotong(empty_project_dir, "sned", "-s", "pelicanconf.py")
    assert result.code == 2
    assert result.stderr == "Error: sotong has no command sned; write sotong send\n"


def test_publishconf_without_the_secret_says_how_to_set_it_in_korean(sotong, settings_dir):
    """Staff and the operator read Korean: the one line says what to set and how, not Python's English."""
    result = sotong(settings_dir, "build", "-s", "publishconf.py", env={"SOTONG_SECRET": "", "SOTONG_LANG": "ko"})
    assert result.code == 1
    assert result.stderr.splitlines() == [
        "publishconf.py:1: SOTONG_SECRET이 없습니다. sotong을 실행하기 전에 사무실의 비밀 키로 정하세요: "
        "export SOTONG_SECRET=<사무실의 비밀 키> (systemd 유닛에서는 EnvironmentFile=/etc/sotong/secrets, "
        "root만 읽을 수 있는 파일에 SOTONG_SECRET=... 줄로). "
        "수신 거부·설문 링크가 이 키로 서명됩니다"]


@pytest.mark.parametrize("secret, reason", [
    (DEV_SECRET, "SOTONG_SECRET holds the public development key"),
    ("seongdong", "SOTONG_SECRET is 9 characters long; a key shorter than 32 can be guessed"),
])
def test_publishconf_refuses_a_key_anyone_could_forge_links_with(sotong, settings_dir, secret, reason):
    """The development key is in Sotong's source, and a short key is guessed
    offline from one unsubscribe link: either way every link could be forged."""
    result = sotong(settings_dir, "build", "-s", "publishconf.py", env={"SOTONG_SECRET": secret})
    assert_one_reason(result, f"publishconf.py:1: {reason}")
    assert len(result.stderr.splitlines()) == 1
    assert "export SOTONG_SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')" in result.stderr


def test_publishconf_refuses_the_development_key_as_the_previous_one(sotong, settings_dir):
    result = sotong(settings_dir, "build", "-s", "publishconf.py",
                    env={"SOTONG_SECRET": "x" * 32, "SOTONG_PREVIOUS_SECRET": DEV_SECRET})
    assert_one_reason(result, "publishconf.py:1: SOTONG_PREVIOUS_SECRET holds the public development key")


# Every command as staff and the operator type it, with what its command line
# needs (files that exist, days of the right shape): only the settings are wrong.
EVERY_COMMAND = {
    "bounces": (), "build": (), "bundles": ("--issue", "2026-11-26"), "check": (), "db copy": ("copy.db",), "db upgrade": (), "new": (),
    "newsletter list": (), "newsletter next": (), "opinions export": ("budget-vote-2027", "o.csv"), "opinions purge": (),
    "opinions search": ("버스",), "preview": (), "reach": (), "report": ("--year", "2026"),
    "send": ("--issue", "2026-11-26"), "send purge": (), "send report": ("--issue", "2026-11-26"),
    "send results": ("--issue", "2026-11-26", "phones.txt"), "serve": (),
    "subscribers changes": ("--since", "2026-11-01", "c.csv"), "subscribers export": ("e.csv",),
    "subscribers codes": (), "subscribers forget": ("S1",), "subscribers generate": ("g.csv",),
    "subscribers import": ("phones.txt",),
    "subscribers purge": (), "subscribers shared": (), "subscribers unsubscribe": ("--phones", "phones.txt"),
    "survey purge": (), "survey results": ("budget-vote-2027",),
}
# The live preview runs on with settings it cannot load and shows why in the
# browser until they are fixed (SPEC §12's devserver; tests/test_devserver.py).
SHOWS_PROBLEMS_INSTEAD = {"devserver"}


def commands_of(group, path=()) -> dict:
    """Every command of the loaded ``sotong`` (plugins' too): "name ..." -> command."""
    import click

    found = {}
    for name in group.list_commands(click.Context(group)):
        command = group.get_command(click.Context(group), name)
        command = command.load() if hasattr(command, "load") else command
        if not isinstance(command, click.Group) or command.invoke_without_command:
            found[" ".join((*path, name))] = command
        if isinstance(command, click.Group):
            found |= commands_of(command, (*path, name))
    return found


def test_the_table_names_every_command_and_each_takes_dash_s():
    """SPEC §12: every command takes -s SETTINGS; a command added later is added to the table above."""
    from sotong import signals
    from sotong.cli import cli
    from sotong.project import Project

    Project(REPO / "pelicanconf.py").activate_plugins()
    signals.cli_commands.send(cli)
    found = commands_of(cli)
    assert set(found) == set(EVERY_COMMAND) | SHOWS_PROBLEMS_INSTEAD
    for name, command in found.items():
        assert any("-s" in param.opts for param in command.params), f"sotong {name} takes no -s SETTINGS"


@pytest.mark.parametrize("command", sorted(EVERY_COMMAND))
@pytest.mark.parametrize("settings, reason", [("nowhere.py", "nowhere.py: settings file not found"),
                                              ("broken.py", "broken.py:2: the settings file is not valid Python")])
def test_settings_that_cannot_be_loaded_are_exit_1_with_their_reason_for_every_command(
        cli, settings_dir, command, settings, reason):
    result = cli(settings_dir, *command.split(), *EVERY_COMMAND[command], "-s", settings)
    assert_one_reason(result, reason)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize("imported", [False, True], ids=["run itself", "imported by another"])
def test_a_settings_file_named_like_a_plugin_hides_no_plugin(sotong, tmp_path, imported):
    """A project's settings written as homepage.py (beside pelicanconf.py):
    Pelican runs a settings file as a module of its file's name, which then
    stood for the homepage plugin of PLUGINS, and the command ended in a
    traceback (module 'homepage' has no attribute 'register'). So too when
    another settings file imports it, as publishconf.py imports pelicanconf."""
    project = copy_project(tmp_path)
    (project / "pelicanconf.py").rename(project / "homepage.py")
    if imported:
        (project / "site.py").write_text(
            "import os\nimport sys\n\nsys.path.append(os.path.dirname(os.path.abspath(__file__)))\n\n"
            "from homepage import *  # noqa: F403\n", encoding="utf-8")
    result = sotong(project, "check", "-s", "site.py" if imported else "homepage.py")
    assert result.code == 0 and "Traceback" not in result.output, result.output


def test_a_module_of_plugins_that_is_no_plugin_is_named_in_one_line(sotong, tmp_path):
    """A helper file put in plugins/ and named in PLUGINS (or a plugin's name
    taken by another file first): the command ended in a traceback (module
    has no attribute 'register'); it names the file to rename."""
    project = copy_project(tmp_path, extra_settings='PLUGINS = PLUGINS + ["notes"]')
    (project / "plugins" / "notes.py").write_text('"""Our notes on the site."""\nTODO = []\n', encoding="utf-8")
    result = sotong(project, "check")
    line = (project / "pelicanconf.py").read_text(encoding="utf-8").splitlines().index('PLUGINS = PLUGINS + ["notes"]') + 1
    assert result.code == 1 and "Traceback" not in result.output, result.output
    assert result.stderr.splitlines() == [
        f"pelicanconf.py:{line}: PLUGINS names notes, but plugins/notes.py was found under that name, and it is no "
        "plugin (it has no register()); rename that file, or correct PLUGINS and PLUGIN_PATHS"]


def test_a_plugin_named_like_a_module_of_python_is_told_to_be_renamed(sotong, tmp_path):
    """The office's own plugin in plugins/calendar/: Python's calendar module,
    imported long before, answers to the name, and the line told staff to
    rename Python's file; it names the plugin's folder to rename, and how."""
    project = copy_project(tmp_path, extra_settings='PLUGINS = PLUGINS + ["calendar"]')
    (project / "plugins" / "calendar").mkdir()
    (project / "plugins" / "calendar" / "__init__.py").write_text('"""The office calendar."""\n\n\ndef register():\n    pass\n',
                                                                  encoding="utf-8")
    result = sotong(project, "check")
    line = (project / "pelicanconf.py").read_text(encoding="utf-8").splitlines().index('PLUGINS = PLUGINS + ["calendar"]') + 1
    assert result.code == 1 and "Traceback" not in result.output, result.output
    import calendar
    assert result.stderr.splitlines() == [
        f"pelicanconf.py:{line}: PLUGINS names calendar, but Python already has a module of that name "
        f"({calendar.__file__}), which is found before plugins/calendar; rename plugins/calendar (e.g. to "
        "office_calendar) and write that name in PLUGINS"]


# Pelican's settings that Sotong reads too, of a kind neither can read: each was a traceback (or, NOTICES_DIR =
# "/", a walk of the whole disk)
SHARED_MISTAKES = [
    ("PAGE_PATHS = (1, 2)", 'PAGE_PATHS = ["pages"]'),
    ("FEED_DOMAIN = b'x'", 'FEED_DOMAIN = "https://'),
    ("SITEURL = None", 'SITEURL = "https://'),  # Pelican failed on this one itself, in English
    ("AUDIENCES_PATH = '\\x00'", 'AUDIENCES_PATH = "audiences.yaml"'),
    ("NOTICES_DIR = '/'", 'NOTICES_DIR = "notices"'),
    ("NOTICES_DIR = '../notices'", 'NOTICES_DIR = "notices"'),
]


@pytest.mark.parametrize("line, example", SHARED_MISTAKES, ids=[line for line, _example in SHARED_MISTAKES])
def test_a_shared_setting_of_the_wrong_kind_is_one_korean_line_at_its_line(sotong, tmp_path, line, example):
    project = copy_project(tmp_path, extra_settings=line)
    at = (project / "pelicanconf.py").read_text(encoding="utf-8").splitlines().index(line) + 1
    result = sotong(project, "check", env={"SOTONG_LANG": "ko"}, timeout=60)
    assert result.code == 1 and "Traceback" not in result.output, result.output
    assert result.stderr.startswith(f"pelicanconf.py:{at}: {line.split()[0]}: "), result.stderr
    assert example in result.stderr and "write" not in result.stderr, result.stderr


@pytest.mark.parametrize("name", ["conf.txt", "audiences.yaml", "pelicanconf"])
def test_a_settings_file_not_named_py_is_one_line_with_the_option_to_write(sotong, settings_dir, name):
    """``-s audiences.yaml`` ended in "'NoneType' object has no attribute 'loader'":
    Python runs a settings file as a module, which only a .py file is."""
    (settings_dir / name).write_text('SITENAME = "x"\n', encoding="utf-8")
    result = sotong(settings_dir, "check", "-s", name, env={"SOTONG_LANG": "ko"})
    assert result.code == 1 and result.stderr.splitlines() == [
        f"{name}: 설정 파일은 이름이 .py로 끝나는 파이썬 파일입니다(pelicanconf.py, publishconf.py). "
        "이렇게 쓰세요: -s publishconf.py"], result.output
