"""Development settings: the default of every `sotong` command (-s pelicanconf.py).

Pelican's settings first, then Sotong's own (documented in README.md, "Settings").
"""

SITENAME = "성동구 소통"
SITESUBTITLE = "성동구청 전자소통 서비스: 구정 소식을 한곳에서"
AUTHOR = "성동구청 홍보담당관"
SITEURL = ""
TIMEZONE = "Asia/Seoul"
DEFAULT_LANG = "ko"
DEFAULT_DATE_FORMAT = "%Y년 %-m월 %-d일"

PATH = "content"
OUTPUT_PATH = "output"
ARTICLE_PATHS = ["notices"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
IGNORE_FILES = [".#*", "*.yaml", "README*"]
THEME = "themes/sotong"

PLUGIN_PATHS = ["plugins"]
PLUGINS = ["sotong.pelican_plugin", "newsletter", "homepage", "bundles", "delivery", "sns_sync", "minwon24", "survey", "subscriptions"]

# Notices: one page each, at a stable address used in mail, SMS and SNS links.
ARTICLE_URL = "notices/{slug}/"
ARTICLE_SAVE_AS = "notices/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
CATEGORY_URL = "category/{slug}/"
CATEGORY_SAVE_AS = "category/{slug}/index.html"
CATEGORIES_SAVE_AS = "category/index.html"
ARCHIVES_SAVE_AS = "archives/index.html"
# "소식 받기": the one page that lists the Atom feeds (linked from every page's footer)
DIRECT_TEMPLATES = ["index", "tags", "categories", "authors", "archives", "feeds"]
FEEDS_SAVE_AS = "feeds.html"
FEEDS_URL = "feeds.html"
SLUGIFY_SOURCE = "basename"
# A draft appears nowhere, not even under drafts/.
DRAFT_SAVE_AS = ""
DRAFT_URL = ""
# Sotong has no authors or tags; departments and fields take their place.
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
DEFAULT_PAGINATION = 20
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

FEED_DOMAIN = "https://www.sd.go.kr/sotong"
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/category/{slug}.atom.xml"
FEED_ALL_RSS = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

# The dev server's default: Pelican's content cache, for quick rebuilds.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = ".cache/pelican"

# Templates are read once per build (the dev server makes a new environment
# for every rebuild), not checked on disk at every page.
JINJA_ENVIRONMENT = {"auto_reload": False}

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.sane_lists": {},
    },
    "output_format": "html5",
}

# --- Sotong ---------------------------------------------------------------
AUDIENCES_PATH = "audiences.yaml"
SOTONG_DB = "private/sotong.db"
OUTBOX_PATH = "private/outbox"
OFFICE_PHONE = "02-2286-5114"  # the number pages of the collector give for help
SMS_OPTOUT_FOOTER = "수신거부 02-2286-5114"
