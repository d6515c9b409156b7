"""sotong.settings.SettingsProblems: the shared reading of a plugin's settings
dict, each problem a ``FILE:LINE: NAME: message`` at the assignment."""

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
