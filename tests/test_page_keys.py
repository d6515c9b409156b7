"""sotong.page_keys without a build: what a page's key depends on, and which
uses of a list a template can make without it being noticed (none)."""

from __future__ import annotations

import datetime as dt

from jinja2 import DictLoader, Environment

from sotong.page_keys import PageKeys, watch_lists
from sotong.template_reads import shown

TEMPLATES = {
    "list.html": '{% extends "base.html" %}{% block body %}{% if page == 1 and everything %}'
                 "{{ everything|length }}{% endif %}{{ mine|join(',') }}{% endblock %}",
    "base.html": "<title>{{ SITENAME }}</title>{% block body %}{% endblock %}{% include 'gone.html' ignore missing %}",
}


def keys_and_template(settings=None):
    environment = Environment(loader=DictLoader(TEMPLATES))
    return PageKeys(settings or {}, lambda source: source), environment.get_template("list.html")


def render(template, keys, context):
    """As the keeping writer does: watch the lists, render, key the page with what was left untouched."""
    names = keys.varying(template, context)
    watched = watch_lists(context, names)
    text = template.render(context)
    untouched = frozenset(name for name, values in watched.items() if not values.touched)
    return text, keys.key(template, context, names, untouched), untouched


def test_the_names_of_a_template_tree_are_what_it_and_what_it_extends_read():
    keys, template = keys_and_template()
    assert keys.read_names(template) == {"page", "everything", "mine", "SITENAME"}


def test_the_names_of_templates_are_kept_for_the_next_build_and_read_from_it():
    """A build of the same templates (the build state hands them over) reads
    the names from the last build's record instead of parsing each template."""
    known: dict = {}
    environment = Environment(loader=DictLoader(TEMPLATES))
    first = PageKeys({}, lambda source: source, known).read_names(environment.get_template("list.html"))
    assert known == {"list.html": [["everything", "mine", "page"], ["base.html"]],
                     "base.html": [["SITENAME"], ["gone.html"]]}

    class Unreadable(DictLoader):
        def get_source(self, environment, template):
            raise AssertionError(f"{template} parsed again")

    again = Environment(loader=Unreadable(TEMPLATES))
    template = again.from_string(TEMPLATES["list.html"])
    template.name = "list.html"
    assert PageKeys({}, lambda source: source, known).read_names(template) == first


def test_a_list_the_page_did_not_touch_is_left_out_of_its_key():
    keys, template = keys_and_template()
    second = {"page": 2, "everything": ["a", "b"], "mine": ["c"], "SITENAME": "s", "output_file": "2.html"}
    text, key, untouched = render(template, keys, dict(second))
    assert untouched == {"everything"} and text.endswith("c")
    again = dict(second, everything=["a", "b", "new"])
    assert keys.key(template, again, keys.varying(template, again), untouched) == key
    changed = dict(second, mine=["c", "d"])
    assert keys.key(template, changed, keys.varying(template, changed), untouched) != key


def test_the_first_page_reads_the_whole_list_and_is_keyed_by_it():
    keys, template = keys_and_template()
    first = {"page": 1, "everything": ["a", "b"], "mine": ["c"], "SITENAME": "s", "output_file": "index.html"}
    text, key, untouched = render(template, keys, dict(first))
    assert untouched == frozenset() and "2" in text
    more = dict(first, everything=["a", "b", "new"])
    assert keys.key(template, more, keys.varying(template, more), untouched) != key


def test_settings_values_are_left_to_the_inputs_digest():
    settings = {"SITENAME": "s"}
    keys, template = keys_and_template(settings)
    context = {"page": 2, "everything": [], "mine": [], "output_file": "x.html", **settings}
    assert "SITENAME" not in keys.varying(template, context)
    context["SITENAME"] = "another name, not the settings' own"
    assert "SITENAME" in keys.varying(template, context)


def test_a_value_of_an_unknown_kind_gives_no_key():
    keys, template = keys_and_template()
    context = {"page": 2, "everything": [], "mine": [object()], "SITENAME": "s", "output_file": "x.html"}
    assert keys.key(template, context, keys.varying(template, context), frozenset()) is None


def test_every_use_of_a_watched_list_is_noticed():
    uses = [iter, len, bool, lambda values: "a" in values, lambda values: values + [], lambda values: [] + values,
            lambda values: values[0], reversed, lambda values: values.index("a"), lambda values: values.copy(),
            sorted, list, tuple, lambda values: values == ["a"]]
    for use in uses:
        context = {"values": ["a", "b"]}
        watched = watch_lists(context, ["values"])["values"]
        assert not watched.touched
        use(context["values"])
        assert watched.touched, use


def reads_of(source: str, **context) -> frozenset:
    """What rendering ``source`` with ``context`` read of notices (sotong.template_reads)."""
    from sotong.template_reads import recording, watch

    environment = Environment(autoescape=True, finalize=shown)
    environment.filters["python_filter"] = lambda value: str(value)
    environment.globals["python_function"] = lambda value: str(value)
    watch(environment)
    template = environment.from_string(source)
    with recording() as reads:
        template.render(context)
    return frozenset(reads)


def a_notice(body: str = "본문", **changes):
    from sotong.notices import Notice

    fields = {"source": "/c/notices/a.md", "slug": "a", "title": "제목", "date": dt.datetime(2026, 11, 5, 9),
              "department": "문화체육과", "category": "culture", "body": body}
    return Notice(**{**fields, **changes})


def test_a_template_records_the_attributes_and_calls_it_reads_of_a_notice():
    notice = a_notice()
    assert reads_of("{{ n.title }}{{ n['department'] }}{{ n.plain_summary() }}{{ [n]|map(attribute='slug')|join }}"
                    "{{ [n]|sort(attribute='date')|length }}", n=notice) == {
        "@Notice.title", "@Notice.department", "@Notice.plain_summary()", "@Notice.slug", "@Notice.date"}


def test_a_notice_handed_to_python_or_printed_whole_counts_as_read_whole():
    notice = a_notice()
    for source in ("{{ n|python_filter }}", "{{ python_function(n) }}", "{{ n.has('sms') }}", "{{ n }}",
                   "{{ [n]|map('python_filter')|join }}", "{{ n[0] }}"):
        assert "@Notice.*" in reads_of(source, n=notice), source


def test_a_key_holds_what_was_read_and_a_body_edit_keeps_it():
    from sotong.page_keys import reading_of

    keys = PageKeys({}, lambda source: ("stamp", source))
    record = frozenset({"@Notice.title", "@Notice.plain_summary()"})
    shape = keys.shape([a_notice()], reading_of(record))
    assert PageKeys({}, lambda source: None).shape([a_notice(body="본문\n\n둘째 문단")], reading_of(record)) == shape
    assert keys.shape([a_notice(body="다른 본문")], reading_of(record)) != shape, "the summary is the first paragraph"
    assert keys.shape([a_notice(title="다른 제목")], reading_of(record)) != shape
    whole = reading_of(record | {"@Notice.*"})
    assert keys.shape([a_notice()], whole) == (("notice", ("stamp", "/c/notices/a.md")),)


def test_known_shapes_give_the_last_builds_digest_of_an_unchanged_notice_only():
    from sotong.page_keys import KnownShapes, reading_of

    reading = reading_of(frozenset({"@Notice.title"}))
    before = {f"notice {reading.name}": {"/c/notices/a.md": "kept", "/c/notices/b.md": "stale"}}
    known = KnownShapes(before, lambda source: source.endswith("a.md"))
    keys = PageKeys({}, lambda source: source, known_shapes=known)
    shapes = keys.shape([a_notice(), a_notice(source="/c/notices/b.md", slug="b")], reading)
    assert shapes[0] == ("notice", "kept"), "unchanged: not read again"
    assert shapes[1] == PageKeys({}, lambda source: source).shape([a_notice(source="/c/notices/b.md", slug="b")], reading)[0]
    assert known.now[f"notice {reading.name}"] == {"/c/notices/a.md": "kept", "/c/notices/b.md": shapes[1][1]}


def test_only_what_an_article_makes_of_its_own_file_is_taken_from_the_last_build():
    """An article's ``translations`` are other articles: a reading of them is never kept."""
    from sotong.page_keys import reading_of

    assert reading_of(frozenset({"@Content.title", "@Content.url", "@Notice.title"})).own
    assert not reading_of(frozenset({"@Content.title", "@Content.translations"})).own
    assert not reading_of(frozenset({"@Content.*"})).own
