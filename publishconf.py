"""Production settings: `make publish` and `sotong send -s publishconf.py`.

Imports pelicanconf.py, sets the absolute SITEURL and refuses to run without
SOTONG_SECRET, the key that signs unsubscribe and survey tokens. The store is
SOTONG_DB from the environment when it is set (a file, or a postgresql://
URL whose password is in PGPASSWORD, ~/.pgpass or a service file): every
machine that sends or collects is pointed at the shared store without
editing this file.
"""

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))

from pelicanconf import *  # noqa: E402,F403
from sotong.tokens import require_secret  # noqa: E402

require_secret()  # one line, in Korean, saying how to set it

SOTONG_DB = os.environ.get("SOTONG_DB") or SOTONG_DB  # noqa: F405 (pelicanconf.py's: private/sotong.db)
SITEURL = "https://www.sd.go.kr/sotong"
RELATIVE_URLS = False
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
DELETE_OUTPUT_DIRECTORY = True
COLLECTOR_URL = "https://sotong.sd.go.kr"
# `sotong serve` runs on 127.0.0.1 behind the reverse proxy (README, nginx), which
# sends X-Forwarded-For: its requests are counted by their client (SUBSCRIBE_RATE).
COLLECTOR_PROXY = "127.0.0.1"
# What makes one-notice texts SMS rather than LMS (README, "What makes SMS
# possible"): set it once the office points this address at the site's n/.
# SHORT_LINK_BASE = "https://sd.go.kr/s/"
