"""The ``sotong`` command: the shell every feature adds its commands to.

Core commands live here (check, build, new, subscribers import, export and
generate, db upgrade and copy, serve, devserver); plugins add theirs through
``signals.cli_commands`` when the settings' PLUGINS are loaded, which happens
before the command line is parsed so that ``sotong --help`` lists them all.

Exit codes (SPEC §12): 0 done; 1 the input is wrong (each problem on one
line, no traceback); 2 the command line is wrong; 130 stopped by Ctrl+C
(SIGINT), said in one line; 143 stopped by SIGTERM, the same way, for the
commands that take it as Ctrl+C (``sotong.interrupts.sigterm_as_ctrl_c``:
send, serve, bundles, subscribers import, export, changes, forget, purge,
db copy).
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
import sys
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

import click

from . import signals
from .help_layout import lay_out_help_by_display_width
from .i18n import _, ngettext, translate_click
from .interrupts import INTERRUPTED_EXIT, TERMINATED_EXIT, Terminated, sigterm_as_ctrl_c
from .options import JOBS, PORT, FileName, OneLineCommand, Text, WholeNumber, as_option, said_in_one_line
from .problems import SotongError, file_system_trouble, one_line, plugin_failure_said
from .project import Project

DEFAULT_SETTINGS = "pelicanconf.py"

translate_click()  # before the decorators below, which take click's texts of --help and --version
lay_out_help_by_display_width()  # every command's --help measured in a terminal's columns (Hangul: two each)


# not exists=True: a missing settings file is exit 1 with its reason, as any that cannot load (SPEC §12)
_SETTINGS_PATH = click.option("-s", "--settings", "settings_path", default=DEFAULT_SETTINGS, show_default=True,
                              type=click.Path(dir_okay=False),
                              help=_("Settings file (pelicanconf.py or publishconf.py)."))


def settings_option(command):
    """Add ``-s/--settings`` and pass the loaded :class:`Project` as
    ``project`` (None to a group's callback run before its subcommand:
    ``sotong send results ... -s publishconf.py`` loads only publishconf.py)."""

    @_SETTINGS_PATH
    @functools.wraps(command)
    def wrapper(*args, settings_path, **kwargs):
        ctx = click.get_current_context()
        if ctx.invoked_subcommand is not None:  # a group's own run before its subcommand's, which reads its own -s
            return command(*args, project=None, **kwargs)
        project = ctx.meta.get("sotong.project")
        if project is None or project.settings_path != Path(settings_path):
            project = Project(settings_path, pelican=_WITHOUT_PELICAN not in ctx.meta)
        ctx.meta.setdefault(_PROJECTS, []).append(project)  # its store closed when the command ends
        return command(*args, project=project, **kwargs)

    return wrapper


def _settings_in(args: list[str]) -> str:
    for index, arg in enumerate(args):
        if arg in ("-s", "--settings") and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--settings="):
            return arg.split("=", 1)[1]
        if arg.startswith("-s") and len(arg) > 2:
            return arg[2:]
    return DEFAULT_SETTINGS


class LazyCommand(click.Command):
    """A plugin's command known by its name and help until it runs.

    ``sotong --help`` lists it without importing its module; the command
    groups below import ``target`` ("module:attribute") only to run it.
    ``help`` is the command's first paragraph, so that the listing is the
    same as the real command's.
    """

    def __init__(self, name: str, target: str, help: str):
        super().__init__(name, help=help)
        self.target = target

    def load(self) -> click.Command:
        module, attribute = self.target.split(":")
        return getattr(importlib.import_module(module), attribute)


def add_lazy_command(group: click.Group, name: str, target: str, help: str) -> None:
    """Add a plugin's command to ``group``, imported only when it runs."""
    group.add_command(LazyCommand(name, target, help))


def add_lazy_commands(group: click.Group, package: str, commands: Iterable[tuple[str, str, str]],
                      under: str = "") -> None:
    """A plugin's receiver of ``cli_commands`` in one call: each of
    ``commands`` (name, "module:attribute" in ``package``, help) added to
    ``group``, or to its subgroup ``under`` (``"subscribers"``) if the
    ``sotong`` command has that group, each imported only when it runs."""
    if under:
        group = group.commands.get(under)
        if not isinstance(group, click.Group):
            return
    for name, target, help in commands:
        add_lazy_command(group, name, f"{package}.{target}", help)


_SETTINGS_ERROR = "sotong.settings_error"
_WITHOUT_PELICAN = "sotong.without_pelican"
_ARGV = "sotong.argv"  # the command line after "sotong", as typed
_PROJECTS = "sotong.projects"  # the projects a command was given: their stores closed when it ends
_STOPPED = "sotong.stopped"  # a command's own line for Ctrl+C, in place of the one of every command
# Core commands that read no content and need no plugin: run without loading
# the plugins or Pelican (its import is most of a second), their settings
# read by load_settings(pelican=False).
LIGHT_COMMANDS = (["subscribers", "import"],)


def say_when_stopped(line: str) -> None:
    """The running command's own line for Ctrl+C and SIGTERM (``{signal}``
    in it: which), in place of the line of every command, which speaks of a
    build and a send."""
    click.get_current_context().meta[_STOPPED] = line


class PluginCommandsGroup(click.Group):
    """A group that plugins may add commands to: when a command is unknown
    because the settings (and so the plugins) could not be loaded, the
    settings' own error is the answer, not "No such command"; a
    :class:`LazyCommand` is imported when resolved."""

    def resolve_command(self, ctx, args):
        try:
            name, command, rest = super().resolve_command(ctx, args)
        except click.UsageError:
            if _SETTINGS_ERROR in ctx.meta:
                raise ctx.meta[_SETTINGS_ERROR] from None
            raise
        if isinstance(command, LazyCommand):
            command = command.load()
            self.commands[name] = command
        return name, command, rest


@contextmanager
def _ctrl_c_said_in_one_line(meta: dict):
    """Ctrl+C (KeyboardInterrupt, or click's Abort that click.prompt makes of
    it) as one line saying nothing is left half-done (or the command's own,
    in ``meta``), and exit 130; not click's "Aborted!" and exit 1. An Abort
    of another cause (an end of input at a prompt: sotong.authoring says
    which option is missing) stays click's. SIGTERM, where taken as Ctrl+C
    (:class:`Terminated`), says so and exits 143."""
    try:
        yield
    except (KeyboardInterrupt, click.Abort) as exc:
        if isinstance(exc, click.Abort) and not isinstance(exc.__context__, KeyboardInterrupt):
            raise
        closing = "\n" if sys.stderr.isatty() else ""  # after the terminal's ^C
        terminated = isinstance(exc, Terminated)
        said = meta.get(_STOPPED) or _("Stopped ({signal}). Nothing is left half-written: a build leaves output/ as it "
                                       "was, and the same command run again does the rest (a send resumes where it stopped).")
        click.echo(closing + said.format(signal="SIGTERM" if terminated else "Ctrl+C"), err=True)
        raise click.exceptions.Exit(TERMINATED_EXIT if terminated else INTERRUPTED_EXIT) from None


class SotongGroup(PluginCommandsGroup):
    """Loads the project's plugins, so that they add their commands, before
    parsing; Ctrl+C while it does or while the command runs is said in one
    line and exits 130; a value with spaces typed without quotes, which click
    calls an extra argument, is said to need them (sotong.unquoted), and a
    day or a year typed without its option is given its option
    (sotong.options.as_option); every
    command-line mistake of every command is one line with what to write
    (sotong.options.said_in_one_line)."""

    def make_context(self, *args, **kwargs):
        with _ctrl_c_said_in_one_line({}):
            try:
                return super().make_context(*args, **kwargs)
            except click.UsageError as error:  # sotong's own options (sotong --verbos)
                raise said_in_one_line(error) from None

    def invoke(self, ctx):
        with _ctrl_c_said_in_one_line(ctx.meta):
            try:
                return super().invoke(ctx)
            except click.UsageError as error:  # any command's, any group's (sotong subscribers imprt)
                from .unquoted import with_quoting_hint

                if error.ctx is None:  # click's parser names no command (an option without its value)
                    error.ctx = _typed_command(ctx)
                argv = ctx.meta.get(_ARGV, [])
                raise said_in_one_line(with_quoting_hint(as_option(error, argv), argv)) from None
            finally:
                for project in ctx.meta.get(_PROJECTS, ()):
                    project.close_store()

    def parse_args(self, ctx, args):
        ctx.meta[_ARGV] = list(args)
        if [arg for arg in args if not arg.startswith("-")][:2] in LIGHT_COMMANDS:
            ctx.meta[_WITHOUT_PELICAN] = True
            return super().parse_args(ctx, args)
        try:
            project = Project(_settings_in(args))
            project.activate_plugins()
            signals.cli_commands.send(self)
            ctx.meta["sotong.project"] = project
        except SotongError as exc:
            ctx.meta[_SETTINGS_ERROR] = exc  # core commands report it through their -s option
        return super().parse_args(ctx, args)


def _typed_command(ctx: click.Context) -> click.Context:
    """The context of the command the words typed after ``sotong`` name
    (``sotong send report``), a group's subcommands followed down."""
    for word in ctx.meta.get(_ARGV, []):
        if not isinstance(ctx.command, click.Group):
            break
        if (command := ctx.command.commands.get(word)) is not None:
            ctx = click.Context(command, info_name=word, parent=ctx)
    return ctx


@click.group(cls=SotongGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
             help=_("Sotong (소통): notices in Markdown, published everywhere the office publishes."))
@click.version_option(package_name="sotong")
@click.option("-v", "--verbose", is_flag=True, help=_("Show Pelican's progress messages."))
def cli(verbose):
    _configure_logging(logging.INFO if verbose else logging.WARNING)


@cli.command(help=_("Check notices, pages, audiences.yaml and the files and settings of the plugins; list every problem."))
@settings_option
def check(project: Project):
    from .check import check_project, project_warnings

    with plugin_failure_said(project.settings, project.shown, stage="check"):  # it was a traceback
        problems = check_project(project)
        if problems:
            raise SotongError(problems)
        warnings = project_warnings(project)
        reports = [line for _receiver, lines in signals.check_reports.send(project) for line in lines or ()]
    for warning in warnings:
        click.echo(warning, err=True)
    for line in reports:
        click.echo(line)
    count = len(project.notice_files())
    click.echo(ngettext("OK: {count} notice checked, no problems.", "OK: {count} notices checked, no problems.",
                        count).format(count=count))


@cli.command(help=_("Check, then build the site into output/ (replaced only when complete); the check's warnings are shown, and do not stop the build."))
@settings_option
def build(project: Project):
    from .build import build_site
    from .feed_ids import record_feed_entries

    figures = build_site(project)
    record_feed_entries(project, figures["feed_entries"])  # a preview build records none
    signals.site_built.send(project)  # what the site published (a preview build sends none)
    for warning in figures["warnings"]:
        click.echo(warning, err=True)
    click.echo(_("Built {files} files into {output_path}/ in {seconds:.1f} s.").format(
        files=figures['files'], output_path=project.shown(project.settings['OUTPUT_PATH']), seconds=figures['seconds']))


@cli.command(cls=OneLineCommand, help=_("Write a new notice file with valid front matter, ready to edit."), examples={
    "--title": '--title "김장 나눔 자원봉사자 모집"', "--department": "--department 복지정책과",
    "--category": "--category 생활정보", "--date": "--date 2026-12-03", "--slug": "--slug gimjang-nanum",
    "-s": "-s publishconf.py"}, example='--title "김장 나눔 자원봉사자 모집" --department 복지정책과 --category 생활정보')
@click.option("--title", metavar=_("TITLE"), type=Text(), help=_("The notice's headline (asked when not given)."))
@click.option("--department", metavar=_("DEPARTMENT"), type=Text(), help=_("One of the departments in audiences.yaml (asked when not given)."))
@click.option("--category", metavar=_("FIELD"), type=Text(), help=_("A field of audiences.yaml, by key or Korean name, e.g. culture or 문화공연 (asked when not given)."))
@click.option("--date", "date_", default=None, metavar=_("DATE"), help=_("YYYY-MM-DD or 'YYYY-MM-DD HH:MM' (2026.12.3, 2026년 12월 3일 오후 2시 and 내일 오후 2시 too; a day without its year, 12월 3일, is the coming one); default today."))
@click.option("--slug", default=None, metavar="SLUG", help=_("File name and URL part in English letters; default: the title romanized."))
@settings_option
def new(project: Project, title, department, category, date_, slug):
    from .authoring import ask_notice

    path = ask_notice(project, title=title, department=department, category=category, date=date_, slug=slug)
    click.echo(_("Wrote {path}; edit its text, then run: sotong check").format(path=project.shown(path)))


@cli.group(cls=PluginCommandsGroup, help=_("The subscriber store: import, export, consent changes, forget, purge and SMS opt-outs."))
def subscribers():
    pass


_ENCODING_OPTION = click.option(
    "--encoding", type=click.Choice(["utf-8", "cp949"], case_sensitive=False), default="utf-8", show_default=True,
    help=_("utf-8 is written with a BOM so that Excel reads it; cp949 is Excel's older Korean CSV."))


@subscribers.command("import", help=_("Add or update subscribers from the e-communication CSV, by id.\n\nBad rows are listed as FILE:LINE: reason and left out; exit 1 if any."))
@click.argument("csv_file", metavar="FILE.csv", type=FileName(_("private/subscribers-{day}.csv"), reads=True, exists=True))
@click.option("--jobs", type=JOBS, default=os.cpu_count() or 1, show_default=_("the machine's cores"),
              help=_("Worker processes reading and checking the rows (the same result as one process)."))
@settings_option
@sigterm_as_ctrl_c()  # kill, systemctl stop: the working copy of the rows in the temporary folder removed
def subscribers_import(project: Project, csv_file, jobs):
    from .subscribers import import_csv

    say_when_stopped(_("Stopped ({signal}). An import is written whole or not at all; run the same command again (the "
                       "rows it finds already there are counted unchanged)."))
    report = import_csv(project.store, csv_file, project.audiences, project.today().year, jobs=jobs)
    for problem in report.problems + report.warnings:
        click.echo(str(problem), err=True)
    click.echo(f"{csv_file}: {report.summary()}.")
    if report.rejected:
        click.get_current_context().exit(1)


@subscribers.command("export", help=_("Write every subscriber to a CSV with the import's columns."))
@click.argument("csv_file", metavar="FILE.csv", type=FileName(_("private/subscribers-{day}.csv")))
@_ENCODING_OPTION
@settings_option
@sigterm_as_ctrl_c()  # kill, systemctl stop: no hidden part of the file left beside it
def subscribers_export(project: Project, csv_file, encoding):
    from .subscribers import export_csv

    count = export_csv(project.existing_store, csv_file, encoding, public_path=project.settings["OUTPUT_PATH"])
    click.echo(_("Wrote {count} subscribers to {csv_file} ({encoding}).").format(
        count=count, csv_file=csv_file, encoding=encoding))


@subscribers.command("shared", help=_("List the subscribed ids that share an email address or a phone number (a family, or one person entered twice): each id gets its own message. Ids only, never the address."))
@settings_option
def subscribers_shared(project: Project):
    store = project.existing_store
    groups = {column: store.shared_contacts(column) for column in ("email", "phone")}
    labels = {"email": _("email"), "phone": _("phone")}
    for column, shared in groups.items():
        for ids in shared:
            click.echo(f"{labels[column]}: {'·'.join(ids)}")
    if not any(groups.values()):
        click.echo(_("No subscribed ids share an email address or a phone number."))
        return
    click.echo(_("Shared: {emails} email addresses, {phones} phone numbers. If one person was entered twice, write today's date under unsubscribed_at in the row of the id to drop, and import the file again; a family may keep theirs.").format(
        emails=len(groups["email"]), phones=len(groups["phone"])))


@subscribers.command("generate", help=_("Write synthetic subscribers to test with (no real person in them)."))
@click.argument("csv_file", metavar="OUT.csv", type=FileName(_("test-subscribers-{day}.csv")))
# at most 10 million: held in memory while written, each with a phone number of its own
@click.option("--count", type=WholeNumber(0, 10_000_000), default=82_400, show_default=True,
              help=_("How many subscribers."))
@click.option("--seed", type=WholeNumber(), default=0, show_default=True, help=_("The same seed gives the same subscribers."))
@_ENCODING_OPTION
@settings_option
def subscribers_generate(project: Project, csv_file, count, seed, encoding):
    from .population import generate_population, write_csv

    rows = generate_population(count, project.audiences, seed, year=project.today().year)
    write_csv(csv_file, rows, encoding)
    click.echo(_("Wrote {count} synthetic subscribers to {csv_file} (seed {seed}).").format(
        count=count, csv_file=csv_file, seed=seed))


@cli.group(help=_("The store (SOTONG_DB, a file or a postgresql:// URL): its schema versions, and a copy of it elsewhere."))
def db():
    pass


@db.command("upgrade", help=_("Bring the store's tables to the versions this Sotong and its plugins declare."))
@settings_option
def db_upgrade(project: Project):
    from .store import registered_schemas

    project.declare_every_schema()
    changes = project.store.upgrade()
    for component in registered_schemas():
        before, after = changes[component]
        said = (_("upgraded from version {before} to {after}").format(before=before, after=after) if after > before
                else _("at version {after}, up to date").format(after=after))
        click.echo(f"{component}: {said}")


@db.command("copy", help=_("Copy every table of the store (SOTONG_DB) into the empty store TARGET: a new file, or a new PostgreSQL database (postgresql://...), either way.\n\nStop sotong serve and the sends first; afterwards point SOTONG_DB at TARGET. The store SOTONG_DB names is left as it was."))
@click.argument("target", metavar="TARGET")
@settings_option
@sigterm_as_ctrl_c()  # kill, systemctl stop: the target's transaction (its upgrade too) rolled back
def db_copy(project: Project, target):
    from .store_copy import copy_store, opened_target, shown_target, target_trouble_said

    say_when_stopped(_("Stopped ({signal}). Nothing was copied: the target is left as it was found (a file the "
                       "command made is removed, the tables it made dropped) and the store SOTONG_DB names as it "
                       "was; run the same command again."))
    project.declare_every_schema()
    with opened_target(target) as copied:  # reachable and empty, before the source is opened or upgraded
        source = project.existing_store
        source.upgrade()
        with target_trouble_said(copied.name):
            copied.upgrade()
        counts = copy_store(source, copied)
    for table, rows in sorted(counts.items()):
        click.echo(f"{table}: {rows:,}")
    click.echo(_("Copied {rows:,} rows of {tables} tables into {target}. Point SOTONG_DB at it in the settings, then start sotong serve and the sends again.").format(
        rows=sum(counts.values()), tables=len(counts), target=shown_target(target)))


def _listening_host(ctx, param, host: str) -> str:
    """--host of serve and devserver, unless empty (``--host "$HOST"`` with
    the variable unset), which would listen on every address of the machine."""
    if not host.strip():
        raise click.BadParameter(_("is empty, which would listen on every address of this computer; write 127.0.0.1 "
                                   "(this computer only), or 0.0.0.0 to be reached from others"))
    return host


_LISTEN_HOST = click.option("--host", default="127.0.0.1", show_default=True, metavar=_("HOST"), callback=_listening_host,
                            help=_("Address to listen on."))


@cli.command(help=_("Run the collector: the pages and forms the plugins answer at COLLECTOR_URL, and /healthz."))
@_LISTEN_HOST
@click.option("--port", default=8080, show_default=True, type=PORT, help=_("Port (0: any free one)."))
@click.option("--threads", default=8, show_default=True, type=WholeNumber(1, 256), help=_("Worker threads."))
@settings_option
def serve(project: Project, host, port, threads):
    from .web import serve as run_server

    say_when_stopped(_("Stopped ({signal}). The collector is closed; start it again with the same command."))
    with sigterm_as_ctrl_c():  # systemctl stop: the stores closed too
        run_server(project, host, port, threads, announce=lambda line: click.echo(line, err=True))


@cli.command(help=_("Live preview: rebuild after every save, reload open pages, show problems in the browser.\n\nBuilds into .cache/devserver/ (never output/). Runs even when the settings or content are wrong: the problems are shown until fixed."))
@_LISTEN_HOST
@click.option("--port", default=8000, show_default=True, type=PORT, help=_("Port (0: any free one)."))
@_SETTINGS_PATH
def devserver(host, port, settings_path):
    from .devserver import run

    # how staff close the preview: nothing of a build or a send to finish
    say_when_stopped(_("Stopped ({signal}). The preview is closed: it sends nothing and leaves output/ as it was; "
                       "run the same command to preview again."))
    run(Path(settings_path), host, port, announce=lambda line: click.echo(line, err=True))


def _configure_logging(level):
    """Log to stderr: rich's layout on a terminal, one plain line per record
    otherwise, so a log kept in a file or read by a script never has a
    message wrapped at 80 columns."""
    root = logging.getLogger()
    _level_names_in_the_staffs_language()
    if not any(getattr(h, "sotong_stderr", False) for h in root.handlers):
        if sys.stderr.isatty():  # as sotong.progress decides (rich is imported only then)
            from rich.console import Console
            from rich.logging import RichHandler

            handler = RichHandler(show_time=False, show_path=False, markup=False, console=Console(stderr=True))
        else:
            handler = _PlainStderrHandler()
            handler.setFormatter(logging.Formatter("%(levelname)-8s %(message)s"))
        handler.sotong_stderr = True
        root.addHandler(handler)
    root.setLevel(level)


def _level_names_in_the_staffs_language() -> None:
    """Each logged line's level (``WARNING  127.0.0.1:25에 연결할 수 없습니다``)
    in the language of the lines themselves: 주의, 오류. The English names
    still name the levels in code (``logging.getLevelName("WARNING")``)."""
    for level, name in ((logging.DEBUG, _("DEBUG")), (logging.INFO, _("INFO")), (logging.WARNING, _("WARNING")),
                        (logging.ERROR, _("ERROR")), (logging.CRITICAL, _("CRITICAL"))):
        logging.addLevelName(level, name)


class _PlainStderrHandler(logging.StreamHandler):
    """A StreamHandler writing to whatever ``sys.stderr`` is at each record
    (click's test runner swaps it per command)."""

    stream = property(lambda self: sys.stderr, lambda self, value: None)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``sotong`` console script."""
    try:
        cli.main(args=argv, prog_name="sotong")
    except SotongError as exc:
        _exit_with(exc)
    except Exception as exc:  # a full disk, a store held by another program, a server gone: one line
        from .store import engine_trouble

        trouble = engine_trouble(exc) or file_system_trouble(exc)
        if trouble is None:
            raise
        _exit_with(trouble)


def _exit_with(error: SotongError) -> None:
    """Each problem on a line of its own, their count when more than one; exit 1."""
    for problem in error.problems:
        click.echo(one_line(str(problem)), err=True)
    count = len(error.problems)
    if count > 1:
        click.echo(ngettext("{count} problem.", "{count} problems.", count).format(count=count), err=True)
    sys.exit(1)
