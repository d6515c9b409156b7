"""A plugin's failure that Pelican logs rather than raises (a plugin it
cannot load, a generator that is not one, a reader or hook that raised as
it read each notice, an error a plugin logs itself) was said in English,
often twice (the log record, then the build's line) or once per notice,
blaming the notices; and a plugin raising as it was imported or registered
was a traceback. Each is now one line at the plugin's file and line (or at
PLUGINS), in the staff's language, exit 1, output/ as it was."""

from __future__ import annotations

import pytest

import test_build
from test_build import add_plugin, assert_output_kept, refused_build

built, site_before = test_build.built, test_build.site_before  # the fixtures: the sample project built, its output/

KO = {"SOTONG_LANG": "ko"}
ASK = "show this line to whoever looks after the plugin, or take it out of PLUGINS in the settings until it is mended"


def test_a_plugin_mistyped_in_plugins_is_one_korean_line_at_plugins(built, site_before, sotong):
    with open(built / "pelicanconf.py", "a", encoding="utf-8") as settings:
        settings.write('PLUGINS = PLUGINS + ["bundle"]\n')
    line = len((built / "pelicanconf.py").read_text(encoding="utf-8").splitlines())
    assert refused_build(sotong, built, env=KO) == [
        f"pelicanconf.py:{line}: PLUGINS에 쓴 플러그인 bundle 불러오기에 실패했습니다 (ImportError: Cannot import plugin "
        '`bundle`). 이름과 PLUGIN_PATHS를 확인하거나, PLUGINS에서 빼세요 (혹시 "bundles"인가요?)']
    assert_output_kept(built, site_before)


@pytest.mark.parametrize("source, line, reason", [
    ("import not_installed_anywhere\n\ndef register():\n    pass\n", 1,
     "ModuleNotFoundError: No module named 'not_installed_anywhere'"),
    ("X = 1 / 0\n\ndef register():\n    pass\n", 1, "ZeroDivisionError: division by zero"),
    ("def register():\n    raise RuntimeError('register broke')\n", 2, "RuntimeError: register broke"),
], ids=["needs-a-missing-package", "raises-when-imported", "register-raises"])
def test_a_plugin_that_fails_as_it_loads_is_one_line_at_its_line(built, sotong, source, line, reason):
    add_plugin(built, "failing", source)
    result = sotong(built, "check")
    assert result.code == 1 and "Traceback" not in result.output, result.output
    assert result.stderr.splitlines() == [
        f"plugins/failing/__init__.py:{line}: the plugin failing failed here as it was loaded, so the command stopped "
        f"before doing anything ({reason}); {ASK}, and run the command again"]


LOGS_AN_ERROR = """import logging
from pelican import signals

def finished(generator):
    logging.getLogger(__name__).error("could not write the feed of %s", "culture")

def register():
    signals.article_generator_finalized.connect(finished)
"""

RAISES_AS_EACH_NOTICE_IS_READ = """from pelican import signals

def read(generator, metadata):
    raise ValueError("metadata broke")

def register():
    signals.article_generator_context.connect(read)
"""

NOT_A_GENERATOR = """from pelican import signals

def generators(pelican):
    return "not a class"

def register():
    signals.get_generators.connect(generators)
"""
STOPPED = "so the build stopped and output/ is left as it was"


@pytest.mark.parametrize("source, said", [
    (LOGS_AN_ERROR, f"5: the plugin noisy logged an error here, {STOPPED} (could not write the feed of culture)"),
    (RAISES_AS_EACH_NOTICE_IS_READ, f"4: the plugin noisy failed here, {STOPPED} (ValueError: metadata broke)"),
    (NOT_A_GENERATOR, "3: the plugin noisy gives Pelican, from this function, what is not a generator (a "
                      f"get_generators receiver returns a class, or a list of classes), {STOPPED}"),
], ids=["logs-an-error", "raises-as-each-notice-is-read", "gives-no-generator"])
def test_a_plugins_failure_pelican_logs_is_one_line_at_the_plugins_line(built, site_before, sotong, source, said):
    add_plugin(built, "noisy", source)
    assert refused_build(sotong, built) == [f"plugins/noisy/__init__.py:{said}; {ASK}, and build again"]
    assert_output_kept(built, site_before)


def test_said_in_korean(built, site_before, sotong):
    add_plugin(built, "noisy", LOGS_AN_ERROR)
    assert refused_build(sotong, built, env=KO) == [
        "plugins/noisy/__init__.py:5: 플러그인 noisy 코드의 이 줄이 오류를 알려 빌드를 멈췄고 output/은 그대로 "
        "두었습니다 (could not write the feed of culture). 이 줄을 플러그인 담당자에게 보여 주거나, 고칠 때까지 설정의 "
        "PLUGINS에서 빼고 다시 빌드하세요"]
    assert_output_kept(built, site_before)
