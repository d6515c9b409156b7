"""sotong.settings.SettingsProblems: the shared reading of a plugin's settings
dict, each problem a ``FILE:LINE: NAME: message`` at the assignment; and the
settings every command refuses (the store or private files under output/)."""

import pytest

from project_support import REPO, copy_project, run_sotong
from sotong.problems import Problem
from sotong.settings import SettingsProblems

EXAMPLE = 'DEMO = {"colour": "blue"}'


def settings_file(tmp_path, text):
    path = tmp_path / "publishconf.py"
    path.write_text(text, encoding="utf-8")
    return {"SOTONG_SETTINGS_FILE": str(path)}


def test_a_value_that_is_not_a_dict_is_one_problem_and_none(tmp_path):
    settings = settings_file(tmp_path, 'SITENAME = "x"\nDEMO = ["blue"]\n')
    settings["DEMO"] = ["blue"]
    found = SettingsProblems(settings)
    assert found.plugin_dict("DEMO", ["colour"], EXAMPLE) is None
    assert found.problems == [Problem("publishconf.py", 2, f"DEMO: must be a dict, e.g. {EXAMPLE}")]


def test_an_unknown_key_is_reported_with_a_suggestion_and_the_allowed_keys(tmp_path):
    settings = settings_file(tmp_path, "import os\n\n\nDEMO = {\n    'color': 1,\n}\n")
    settings["DEMO"] = {"color": "blue", "size": 3, "zzz": 0}
    found = SettingsProblems(settings)
    assert found.plugin_dict("DEMO", ("colour", "size"), EXAMPLE) == settings["DEMO"]
    assert [str(p) for p in found.problems] == [
        'publishconf.py:4: DEMO: unknown key "color"; did you mean "colour"?; allowed: colour, size',
        'publishconf.py:4: DEMO: unknown key "zzz"; allowed: colour, size',
    ]


def test_add_points_at_the_line_that_assigns_the_setting(tmp_path):
    settings = settings_file(tmp_path, "A = 1\nB: int = 2\nC = 3\nC = 4  # the value read\n")
    found = SettingsProblems(settings)
    found.add("B", "must be 3")
    found.add("C", "must be 4")
    found.add("MISSING", "is needed")
    assert [str(p) for p in found.problems] == [
        "publishconf.py:2: B: must be 3", "publishconf.py:4: C: must be 4", "publishconf.py:1: MISSING: is needed"]
    assert found.where("C") == "publishconf.py:4"


def test_without_a_settings_file_problems_name_pelicanconf_at_line_1():
    found = SettingsProblems({"DEMO": {"colur": 1}})
    assert found.plugin_dict("DEMO", ["colour"], EXAMPLE) == {"colur": 1}
    assert found.problems == [
        Problem("pelicanconf.py", 1, 'DEMO: unknown key "colur"; did you mean "colour"?; allowed: colour')]
    assert SettingsProblems({}).plugin_dict("DEMO", ["colour"], EXAMPLE) == {}


def test_add_template_folder_appends_once():
    from sotong.settings import add_template_folder

    settings = {"THEME_TEMPLATES_OVERRIDES": ["/theme/extra"]}
    add_template_folder(settings, "/plugin/templates")
    add_template_folder(settings, "/plugin/templates")
    assert settings["THEME_TEMPLATES_OVERRIDES"] == ["/theme/extra", "/plugin/templates"]
    empty = {}
    add_template_folder(empty, "/p")
    assert empty["THEME_TEMPLATES_OVERRIDES"] == ["/p"]


def test_plugin_settings_fills_defaults_and_raises_one_settings_error_listing_every_mistake(tmp_path):
    from hypothesis import given, settings as hsettings, strategies as st

    from sotong.settings import SettingsError, plugin_settings, whole_number

    defaults, checks = {"size": 10, "name": "x"}, {"size": whole_number(1, 100, "how many")}
    config = settings_file(tmp_path, "import os\nDEMO = {}\n")
    assert plugin_settings({**config, "DEMO": {"size": 3}}, "DEMO", defaults, checks, EXAMPLE) == {"size": 3, "name": "x"}
    assert plugin_settings(config, "DEMO", defaults, checks, EXAMPLE) == defaults
    try:
        plugin_settings({**config, "DEMO": {"size": 0, "Name": "y"}}, "DEMO", defaults, checks, EXAMPLE)
    except SettingsError as exc:
        assert [str(p) for p in exc.problems] == [
            'publishconf.py:2: DEMO: unknown key "Name"; did you mean "name"?; allowed: size, name',
            'publishconf.py:2: DEMO: "size" is 0; write how many, a whole number from 1 to 100, e.g. DEMO = {"size": 10}']
    else:
        raise AssertionError("no SettingsError")

    @hsettings(max_examples=60, deadline=None)
    @given(st.integers(-3, 103) | st.booleans() | st.text(max_size=2) | st.floats(0, 50))
    def whole_numbers_are_ints_in_range(value):
        fits = type(value) is int and 1 <= value <= 100
        assert (whole_number(1, 100)(value) is None) == fits

    whole_numbers_are_ints_in_range()


def test_top_level_values_are_checked_at_their_own_line(tmp_path):
    from sotong.settings import number_above, text

    config = settings_file(tmp_path, "SEND_RATE = 0\nHOST = ' '\n")
    found = SettingsProblems({**config, "SEND_RATE": 0, "HOST": " "})
    values = found.values({"SEND_RATE": 50, "HOST": "smtp", "PORT": 25},
                          {"SEND_RATE": number_above(0, "messages per second"), "HOST": text("the server's name")})
    assert values == {"SEND_RATE": 0, "HOST": " ", "PORT": 25}
    assert [str(p) for p in found.problems] == [
        "publishconf.py:1: SEND_RATE: is 0; write messages per second above 0, e.g. SEND_RATE = 50",
        "publishconf.py:2: HOST: is ' '; write the server's name, e.g. HOST = \"smtp\""]


def test_a_rule_says_its_own_whole_message_at_the_settings_line(tmp_path):
    from sotong.settings import rule

    config = settings_file(tmp_path, "PORT = 0\n")
    port = rule(lambda value: value == 25, lambda value: f"must be 25, not {value}")
    found = SettingsProblems({**config, "PORT": 0, "DEMO": {"port": 7}})
    assert found.values({"PORT": 25}, {"PORT": port}) == {"PORT": 0}
    assert found.plugin_values("DEMO", {"port": 25}, {"port": port}, 'DEMO = {"port": 25}') == {"port": 7}
    assert [str(p) for p in found.problems] == ["publishconf.py:1: PORT: must be 25, not 0", "publishconf.py:1: DEMO: must be 25, not 7"]
    assert port(25) is None


@pytest.mark.parametrize("setting", ['SOTONG_DB = "output/sotong.db"', 'PRIVATE_PATH = "output/private"'])
def test_no_command_writes_the_store_or_private_files_under_output(tmp_path, setting):
    """Only check and bundles said so before: the import wrote every
    subscriber's name, address and phone into output/sotong.db (published
    with the site, then deleted by the build after next), survey results
    their answers into output/private/. Now every command refuses, at the
    setting's line, and writes nothing."""
    project = copy_project(tmp_path, extra_settings=setting)
    line = (project / "pelicanconf.py").read_text(encoding="utf-8").splitlines().index(setting) + 1
    name = setting.split()[0]
    for command in (("subscribers", "import", str(REPO / "sample" / "subscribers.csv")),
                    ("survey", "results", "library-satisfaction"), ("opinions", "purge"), ("serve", "--port", "0")):
        result = run_sotong(project, *command, timeout=60)
        assert result.code == 1, command
        assert (f"pelicanconf.py:{line}: {name}: is inside OUTPUT_PATH, which is published; keep it under private/"
                in result.output.splitlines()), (command, result.output)
    assert not (project / "output").exists()


def test_a_system_without_the_locale_of_lang_is_no_english_warning(empty_project_dir):
    """LANG=ko_KR.UTF-8 on a system that never generated it (a new WSL):
    Pelican said "Locale could not be set. Check the LOCALE setting..." in
    English on every check and build, of a setting staff never wrote and
    nothing uses (the pages write their dates themselves)."""
    env = {"LANG": "xx_XX.UTF-8", "LC_ALL": "xx_XX.UTF-8", "SOTONG_LANG": "ko"}
    for command in ("check", "build"):
        result = run_sotong(empty_project_dir, command, env=env)
        assert result.code == 0 and "Locale" not in result.stderr + result.stdout, result
