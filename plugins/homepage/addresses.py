"""Where the files this plugin writes live, and the URLs that point at them.

Paths are fixed by SPEC §8; URLs are percent-encoded, since department names
(and slugs made from Korean file names) are not ASCII.
"""

from __future__ import annotations

from urllib.parse import quote

from sotong.links import short_link_path, site_url

DEPARTMENTS_SAVE_AS = "department/index.html"
SECTION_HTML_SAVE_AS = "section/latest.html"
SECTION_JSON_SAVE_AS = "section/latest.json"
NOT_FOUND_SAVE_AS = "404.html"

_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def department_save_as(name: str) -> str:
    return f"department/{name}/index.html"


def department_url(name: str) -> str:
    return f"department/{quote(name, safe='')}/"


def event_save_as(slug: str) -> str:
    return f"notices/{slug}/event.ics"


def short_link_save_as(code: str) -> str:
    return f"{short_link_path(code)}/index.html"


def public_url(settings: dict, path: str) -> str:
    """``path`` on the site: absolute when SITEURL is set, else from the root."""
    return quote(site_url(settings, path), safe=_URL_SAFE)
