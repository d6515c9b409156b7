"""The link to the reader's own preferences page in every email, beside the
one-click unsubscribe (a block through ``sotong.signals.message_blocks``)."""

from __future__ import annotations

from markupsafe import escape

from sotong.links import collector_url
from sotong.mail import Block
from sotong.tokens import make_token

from .collector import PREFERENCES

BLOCK_HTML = ('<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td class="preferences" '
              'style="padding:12px 0;font-size:16px">받는 분야·방법·주소를 바꾸시려면 '
              '<a href="{url}">수신 설정</a>을 눌러 주세요.</td></tr></table>')


def block_maker(context):
    """Receiver of ``message_blocks``: one preferences link per reader."""
    settings = context.settings

    def blocks(subscriber, notices):
        url = collector_url(settings, "p/" + make_token(PREFERENCES, subscriber.id))
        return [Block(html=BLOCK_HTML.format(url=escape(url)), text=f"수신 설정 바꾸기: {url}")]

    return blocks
