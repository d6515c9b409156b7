"""A CSV that is neither UTF-8 nor CP949 is refused naming the line and the
byte where it stops, the same with or without a UTF-8 BOM (Excel's "CSV
UTF-8" writes one): ``decode`` (SMS results, phone lists) counts offsets in
the file, as ``file_encoding`` (the import, read piece by piece) does."""

from __future__ import annotations

import codecs
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from sotong.problems import SotongError
from sotong.subscribers import decode, file_encoding


def refusal(read, data: bytes) -> str | None:
    try:
        read(data)
    except SotongError as error:
        return str(error)
    return None


def from_a_file(data: bytes) -> str:
    """The import's reading: the codec :func:`file_encoding` finds, the BOM left out."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.csv"
        path.write_bytes(data)
        codec = file_encoding(path, "s.csv")
        return data.removeprefix(codecs.BOM_UTF8).decode(codec)


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
@pytest.mark.parametrize("body, line, byte", [
    (b"\xff,name\r\n", 1, "0xFF"),  # the first line's first byte
    (b"id,\xfe\r\n", 1, "0xFE"),
    (b"id,name\r\nS1,\xff\xff\r\n", 2, "0xFF"),
])
def test_the_first_bad_byte_and_its_line_are_the_same_with_and_without_a_bom(bom, body, line, byte):
    assert refusal(lambda data: decode(data, "s.csv"), bom + body) == (
        f"s.csv:{line}: byte {byte} on this line is neither UTF-8 nor CP949 text; fix the cell, or in Excel "
        'save the file as "CSV UTF-8 (쉼표로 분리)"')


@given(bom=st.booleans(), body=st.binary(max_size=24) | st.lists(
    st.sampled_from([b"a", b",", b"\r\n", b"\n", "가".encode(), "가".encode("cp949"), b"\xff", b"\x80"]),
    max_size=12).map(b"".join))
@settings(max_examples=200)
def test_decode_refuses_as_the_piecewise_import_does(bom, body):
    data = (codecs.BOM_UTF8 if bom else b"") + body
    assert refusal(lambda data: decode(data, "s.csv"), data) == refusal(from_a_file, data)
    if refusal(from_a_file, data) is None:
        assert decode(data, "s.csv") == from_a_file(data)
