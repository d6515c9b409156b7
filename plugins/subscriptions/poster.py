"""The printable A4 poster that dong offices put up at their counters
(``subscribe/poster/index.html``, linked from the sign-up form for staff):
what residents receive (the fields of audiences.yaml, in Korean), that it is
free and stops whenever they like, and the sign-up form's full address,
written out for typing and as a QR code, an inline SVG made at build time
with segno. No JavaScript, nothing of any one resident.

The form's full address is SITEURL + the form's path, so it needs an
absolute SITEURL (publishconf.py); with the development settings' empty one
the poster says, in the QR's place, that the QR and the address appear in
the published build, and nothing warns: a preview is not a mistake."""

from __future__ import annotations

from markupsafe import Markup
from pelican.generators import Generator

from sotong.links import ascii_url

from .rules import CHANNEL_LABELS, FORM_PATH, POSTER_PATH

POSTER_SAVE_AS = POSTER_PATH + "index.html"
# A printed poster is read by phones held at arm's length, in poor light:
# level M (15% of the code may be smudged or torn), raised by segno to Q
# when the address fits the same size anyway.
QR_OPTIONS = {"error": "m", "boost_error": True, "micro": False}
QR_QUIET_ZONE = 4  # modules of light margin around the code, as ISO/IEC 18004 asks


def public_form_url(settings: dict) -> str | None:
    """The sign-up form's full address (SITEURL + its path); None when
    SITEURL is not an absolute http(s) address (the development settings)."""
    base = str(settings.get("SITEURL") or "").rstrip("/")
    return f"{base}/{FORM_PATH}" if base.startswith(("https://", "http://")) else None


def qr_svg(url: str) -> Markup:
    """``url`` as a QR code, an inline SVG (one path of dark modules, one
    unit a module, the quiet zone around them) scaled by its CSS. It is
    named for screen readers by its ``<title>``. segno is imported here, by
    the build that writes the poster, not by every command that reads the settings."""
    import segno

    code = segno.make(ascii_url(url), **QR_OPTIONS)
    svg = code.svg_inline(scale=1, border=QR_QUIET_ZONE, omitsize=True, svgclass="qr", lineclass=None,
                          title="전자소통 서비스 신청서 주소의 QR 코드")
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))


class PosterGenerator(Generator):
    def generate_output(self, writer) -> None:
        settings = self.settings
        url = public_form_url(settings)
        writer.write_file(
            POSTER_SAVE_AS, self.get_template("subscriptions_poster"), self.context,
            relative_urls=settings["RELATIVE_URLS"], form_url=url, qr=qr_svg(url) if url else None,
            fields=self.context["CONTENT"].audiences.fields, channel_labels=CHANNEL_LABELS)
