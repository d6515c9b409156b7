"""A picture that moves (an animated GIF or PNG) in an email cannot be
stopped by its reader, and the Gmail app heeds no ``prefers-reduced-motion``:
emails show only still pictures (sotong.images.moves), a public notice's
moving picture is left to its page with a warning to staff, and a private
notice's, which only emails carry, is refused by check. The GIF and PNG
files are made here, frame by frame, and read by a brute-force count."""

from __future__ import annotations

import email
import email.policy
import json
import struct
import zlib

from hypothesis import given, strategies as st

from project_support import REPO, copy_project, run_sotong
from sample_site import SECRET_ENV

from sotong.images import moves

ISSUE = "2026-11-26"

data_blocks = st.lists(st.binary(min_size=1, max_size=40), max_size=3)  # bytes 0x2C and 0x3B in them too


def _sub_blocks(blocks: list[bytes]) -> bytes:
    return b"".join(bytes([len(block)]) + block for block in blocks) + b"\0"


@st.composite
def gifs(draw) -> tuple[bytes, int]:
    """A GIF of some frames (each perhaps with a local colour table and
    extensions before it), and how many frames it has."""
    global_bits = draw(st.none() | st.integers(0, 7))
    data = b"GIF89a" + struct.pack("<HH", 3, 2)
    data += bytes([0 if global_bits is None else 0x80 | global_bits, 0, 0])
    data += b"" if global_bits is None else bytes(3 << (global_bits + 1))
    if draw(st.booleans()):  # the loop forever of an animation
        data += b"\x21\xff\x0bNETSCAPE2.0" + _sub_blocks([b"\x01\x00\x00"])
    frames = draw(st.integers(0, 4))
    for _ in range(frames):
        for kind in draw(st.lists(st.sampled_from([b"\xf9", b"\xfe", b"\x01"]), max_size=2)):
            data += b"\x21" + kind + _sub_blocks(draw(data_blocks))
        local_bits = draw(st.none() | st.integers(0, 7))
        data += b"\x2c" + struct.pack("<HHHH", 0, 0, 3, 2) + bytes([0 if local_bits is None else 0x80 | local_bits])
        data += (b"" if local_bits is None else bytes(3 << (local_bits + 1))) + b"\x02" + _sub_blocks(draw(data_blocks))
    return data + b"\x3b", frames


@given(gifs())
def test_a_gif_moves_when_it_has_more_than_one_frame(tmp_path_factory, made):
    data, frames = made
    path = tmp_path_factory.mktemp("gif") / "picture.gif"
    path.write_bytes(data)
    assert moves(path) == (frames > 1)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(frames: int | None) -> bytes:
    """A 1x1 PNG; with ``frames``, an APNG whose acTL says so."""
    head = _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    animation = b"" if frames is None else _chunk(b"acTL", struct.pack(">II", frames, 0))
    return (b"\x89PNG\r\n\x1a\n" + head + animation + _chunk(b"IDAT", zlib.compress(b"\0\0")) + _chunk(b"IEND", b""))


@given(st.none() | st.integers(0, 5))
def test_a_png_moves_when_its_animation_has_more_than_one_frame(tmp_path_factory, frames):
    path = tmp_path_factory.mktemp("png") / "picture.png"
    path.write_bytes(png(frames))
    assert moves(path) == (frames is not None and frames > 1)


def test_a_file_that_is_no_picture_or_is_missing_does_not_move(tmp_path):
    (tmp_path / "cut.gif").write_bytes(b"GIF89a\x01\x00")
    (tmp_path / "text.gif").write_text("GIF?", encoding="utf-8")
    assert not any(moves(tmp_path / name) for name in ("cut.gif", "text.gif", "missing.gif"))


def _gif(frames: int) -> bytes:
    """A 1x1 GIF of ``frames`` frames, half a second each."""
    frame = b"\x21\xf9\x04\x04\x32\x00\x00\x00" + b"\x2c" + struct.pack("<HHHH", 0, 0, 1, 1) + b"\x00\x02\x02\x44\x01\x00"
    return b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff" + frame * frames + b"\x3b"


def _with_image(project, notice: str, image: str, alt: str) -> None:
    path = project / "content" / "notices" / notice
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n---\n", f"\nimage: {image}\nimage_alt: \"{alt}\"\n---\n", 1), encoding="utf-8")


def test_an_issue_email_shows_a_still_picture_and_leaves_a_moving_one_to_its_page(tmp_path):
    project = copy_project(tmp_path, extra_settings="SMTP_PORT = 9\n")
    images = project / "content" / "images"
    (images / "moving.gif").write_bytes(_gif(2))
    (images / "still.gif").write_bytes(_gif(1))
    assert moves(images / "moving.gif") and not moves(images / "still.gif")
    _with_image(project, "2026-11-23-women-health-checkup.md", "images/moving.gif", "검진 안내 그림")
    _with_image(project, "2026-11-25-bulletin-december.md", "images/still.gif", "소식지 표지")
    checked = run_sotong(project, "check", env={**SECRET_ENV, "SOTONG_LANG": "en"})
    assert checked.code == 0, checked.output
    warned = [line for line in checked.stderr.splitlines() if "moving picture" in line]
    assert warned == ["content/notices/2026-11-23-women-health-checkup.md:10: warning: images/moving.gif is a moving "
                      "picture, which no reader can stop: the emails leave it out, and the site's pages show it moving; "
                      "save a still picture as .png or .jpg"], checked.stderr
    for args in (("subscribers", "import", str(REPO / "sample" / "subscribers.csv")), ("bundles", "--issue", ISSUE)):
        assert run_sotong(project, *args, env=SECRET_ENV).code == 0
    outbox = project / "private" / "outbox" / ISSUE
    both = next(entry for line in (outbox / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
                if {"2026-11-23-women-health-checkup", "2026-11-25-bulletin-december"} <= set((entry := json.loads(line))["notices"]))
    message = email.message_from_bytes((outbox / both["file"]).read_bytes(), policy=email.policy.default)
    html = message.get_body(("html",)).get_content()
    assert "images/still.gif" in html and 'alt="소식지 표지"' in html
    assert "moving.gif" not in html and "/notices/2026-11-23-women-health-checkup/" in html


def test_check_refuses_a_private_notices_moving_picture(tmp_path):
    project = copy_project(tmp_path)
    (project / "content" / "images" / "review.gif").write_bytes(_gif(2))
    notice = project / "content" / "notices" / "2026-12-09-budget-committee-review.md"
    notice.write_text(notice.read_text(encoding="utf-8").replace("images/budget-committee-review.png", "images/review.gif"),
                      encoding="utf-8")
    checked = run_sotong(project, "check", env={"SOTONG_LANG": "en"})
    assert checked.code == 1
    assert ("content/notices/2026-12-09-budget-committee-review.md:8: a private notice's image goes inside its emails, "
            "where a moving picture cannot be stopped by its reader; save a still picture of images/review.gif as .png "
            "or .jpg") in checked.stderr, checked.stderr
