"""The code's shape (issue #9): no function in sotong/, plugins/ or
benchmarks/ longer than 60 lines, counted from its ``def`` line to its last
line (a command's click decorators declare its options, they are not its
logic), so each one can be read, tested and mutated on its own; every module
there, and every settings file and test, opens with a docstring saying what
it is for; no code of sotong/ names a
feature that a plugin owns (see FEATURE_WORD); and pyflakes finds nothing
(an unused import or variable, an undefined name) in sotong/, plugins/,
benchmarks/ or tests/."""

from __future__ import annotations

import ast
import importlib.util
import io
import re
from pathlib import Path

from tooling import missing

REPO = Path(__file__).resolve().parent.parent
MOST_LINES = 60


def long_functions(source: str, shown: str, most: int = MOST_LINES) -> list[str]:
    """``FILE:LINE: NAME has N lines`` for each function of ``source`` over ``most``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lines = node.end_lineno - node.lineno + 1
            if lines > most:
                found.append(f"{shown}:{node.lineno}: {node.name} has {lines} lines; split it to {most} or fewer")
    return found


# the Python the project holds: the core, the plugins (templates and all),
# the benchmarks, the settings files, the mutation runner and the tests
CODE_FOLDERS = ("sotong", "plugins", "benchmarks", "mutation", "tests")


def project_modules(*folders: str) -> list[Path]:
    """The .py files under ``folders`` of the repository and at its top."""
    found = [path for folder in folders for path in sorted((REPO / folder).rglob("*.py"))]
    return found + sorted(REPO.glob("*.py"))


def test_no_function_in_sotong_plugins_or_benchmarks_is_over_60_lines():
    found = []
    for path in project_modules("sotong", "plugins", "benchmarks"):
        found += long_functions(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    assert found == []


def modules_without_docstring(paths: list[Path], root: Path = REPO) -> list[str]:
    """``FILE:1: no docstring ...`` for each module of ``paths`` (FILE from
    ``root``) that does not open with one."""
    return [f"{path.relative_to(root)}:1: no docstring; say in one at the top what this module is for"
            for path in paths if not (ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "").strip()]


def test_every_module_says_what_it_is_for_in_a_docstring():
    paths = project_modules(*CODE_FOLDERS)
    assert {"plugins", "benchmarks", "tests", "pelicanconf.py"} <= {path.relative_to(REPO).parts[0] for path in paths}
    assert modules_without_docstring(paths) == []


def test_the_docstring_check_finds_a_module_without_one(tmp_path):
    (tmp_path / "a.py").write_text('"""Says what it is for."""\nX = 1\n', encoding="utf-8")
    (tmp_path / "b.py").write_text('# a comment is not one\nX = """a string later is not one"""\n', encoding="utf-8")
    (tmp_path / "c.py").write_text('""" """\n', encoding="utf-8")
    assert modules_without_docstring([tmp_path / name for name in ("a.py", "b.py", "c.py")], tmp_path) == [
        "b.py:1: no docstring; say in one at the top what this module is for",
        "c.py:1: no docstring; say in one at the top what this module is for"]


def test_the_checker_counts_a_function_from_its_def_line_to_its_end():
    body = "".join(f"    x{n} = {n}\n" for n in range(59))
    decorated = "@click.option('--a')\n@click.option('--b')\ndef f():\n" + body  # 60 lines from def
    assert long_functions(decorated, "a.py") == []
    assert long_functions(decorated + "    return 1\n", "a.py") == ["a.py:3: f has 61 lines; split it to 60 or fewer"]
    nested = "class C:\n    async def g(self):\n" + "".join(f"        y{n} = {n}\n" for n in range(60))
    assert long_functions(nested, "b.py") == ["b.py:2: g has 61 lines; split it to 60 or fewer"]


# The features plugins own. sotong/ holds what all of them share and fills no
# gap with one feature's knowledge: its code (names, attributes, arguments,
# strings) names none of them. Docstrings, comments and messages for people
# (the text given to ``_()``) are prose and may name what the sample's
# plugins do, as examples.
FEATURE_WORD = re.compile(r"(?<![a-z])(smtp|surveys?|sns|banners?|bounces?)", re.IGNORECASE)
# (module, word): why the core names it.
FEATURE_NAMES_ALLOWED = {
    ("sotong/notices.py", "survey"): "survey: is a key of a notice's front matter (SPEC §2); the core keeps its value "
                                     "as an opaque name, the survey plugin checks that a survey has it",
    ("sotong/authoring.py", "survey"): "sotong new's template lists every front matter key of SPEC §2, survey: among them",
    ("sotong/population.py", "survey"): "the sample audiences.yaml has a field (a consent topic) named survey; "
                                        "the synthetic population gives it a consent share",
    ("sotong/mail_server.py", "smtp"): "the connection to the office's mail server (SMTP_* settings, SPEC §11) is "
                                       "shared by every plugin that sends mail: delivery's sotong send and the "
                                       "subscriptions plugin's confirmation and notice mails",
}


def _prose(tree: ast.AST) -> set[int]:
    """The ids of the nodes that are docstrings or messages for people (``_("...")``)."""
    prose = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                prose.add(id(first.value))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_" and node.args:
            prose.update(id(part) for part in ast.walk(node.args[0]))
    return prose


def _words_of(node: ast.AST) -> list[str]:
    """What the code of ``node`` spells: its name, attribute, argument or string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.alias):
        return [node.name, node.asname or ""]
    field = {ast.Name: "id", ast.Attribute: "attr", ast.FunctionDef: "name", ast.AsyncFunctionDef: "name",
             ast.ClassDef: "name", ast.arg: "arg", ast.keyword: "arg"}.get(type(node))
    return [getattr(node, field) or ""] if field else []


def feature_names(source: str, shown: str) -> list[str]:
    """``FILE:LINE: WORD in CODE`` for each name or string of ``source`` (not
    prose) that names a feature, unless FEATURE_NAMES_ALLOWED allows it."""
    tree = ast.parse(source)
    prose = _prose(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in prose:
            continue
        for text in _words_of(node):
            match = FEATURE_WORD.search(text)
            word = match and {"surveys": "survey", "banners": "banner", "bounces": "bounce"}.get(
                match.group(1).lower(), match.group(1).lower())
            if match and (shown, word) not in FEATURE_NAMES_ALLOWED:
                found.append((node.lineno, f"{shown}:{node.lineno}: {word} in {text[:60]!r}; "
                                           "move it to its plugin (or allow it in FEATURE_NAMES_ALLOWED, saying why)"))
    return [line for _lineno, line in sorted(found)]


def test_no_code_of_sotong_names_a_feature_that_a_plugin_owns():
    found = []
    for path in sorted((REPO / "sotong").rglob("*.py")):
        found += feature_names(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    assert found == []


def test_the_feature_scan_reads_code_and_leaves_prose():
    prose = ('"""Sends surveys by SMTP."""\n# the banners\n'
             'def f():\n    """Bounces."""\n    return _("{n} SNS posts").format(n=1)\n')
    assert feature_names(prose, "sotong/x.py") == []
    code = ("import smtplib\nSMTP_PORT = 25\nclass BannerRule: pass\ndef g(survey_slug, **kw):\n"
            "    return kw.get(\"bounces\"), g(sns=1), smtplib.SMTP\n")
    assert [line.split("; ")[0] for line in feature_names(code, "sotong/x.py")] == [
        "sotong/x.py:1: smtp in 'smtplib'", "sotong/x.py:2: smtp in 'SMTP_PORT'", "sotong/x.py:3: banner in 'BannerRule'",
        "sotong/x.py:4: survey in 'survey_slug'", "sotong/x.py:5: bounce in 'bounces'", "sotong/x.py:5: smtp in 'SMTP'",
        "sotong/x.py:5: smtp in 'smtplib'", "sotong/x.py:5: sns in 'sns'"]
    assert feature_names('FRONT = ("title", "survey")\n', "sotong/notices.py") == []
    assert feature_names('FRONT = ("title", "survey")\n', "sotong/links.py") != []


def pyflakes_messages(*folders: Path) -> list[str]:
    """pyflakes' ``FILE:LINE:COL: message`` lines for the Python files under ``folders``."""
    if importlib.util.find_spec("pyflakes") is None:  # a venv made before it joined the test extra
        missing("pyflakes", "run `make setup` (pip install -e '.[test]')")
    from pyflakes.api import checkRecursive
    from pyflakes.reporter import Reporter

    said = io.StringIO()
    checkRecursive([str(folder) for folder in folders], Reporter(said, said))
    return said.getvalue().splitlines()


def test_pyflakes_finds_nothing_in_the_code_the_benchmarks_or_the_tests():
    assert pyflakes_messages(*(REPO / folder for folder in ("sotong", "plugins", "benchmarks", "tests"))) == []


def test_the_pyflakes_check_reports_an_unused_import(tmp_path):
    (tmp_path / "a.py").write_text("import os\n\n\ndef f(x):\n    y = 1\n    return x\n", encoding="utf-8")
    assert pyflakes_messages(tmp_path) == [f"{tmp_path / 'a.py'}:1:1: 'os' imported but unused",
                                           f"{tmp_path / 'a.py'}:5:5: local variable 'y' is assigned to but never used"]


def test_the_pending_answers_table_is_read_and_written_only_by_its_storage_module():
    """subscriptions_pending (sign-ups, address changes and phone codes
    awaiting confirmation) is one module's to query, so that what "unused",
    "awaited" and "expired" mean is written once: the preferences page asks
    plugins/subscriptions/storage.py instead of writing its own SQL."""
    statement = re.compile(r"\b(?:FROM|INTO|UPDATE|JOIN)\s+subscriptions_pending\b", re.IGNORECASE)
    owner = REPO / "plugins" / "subscriptions" / "storage.py"
    elsewhere = [str(path.relative_to(REPO)) for folder in ("sotong", "plugins")
                 for path in sorted((REPO / folder).rglob("*.py"))
                 if path != owner and statement.search(path.read_text(encoding="utf-8"))]
    assert elsewhere == []
    assert statement.search(owner.read_text(encoding="utf-8"))
