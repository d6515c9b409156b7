"""The subscriber CSV as PR staff bring it to ``sotong subscribers import``
(Korean, the default): the Excel workbook itself instead of its CSV was
"byte 0xFF on this line is neither UTF-8 nor CP949 text" (or, for a small
one, "the first line names none of the columns: its names are in Korean");
a header lacking several columns was one line per column, each repeating
the whole header, ten lines for one mistake."""

from __future__ import annotations

import pytest
from project_support import copy_project, run_sotong

WORKBOOKS = {
    "회원명단.xlsx": b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xff\xfe\x80[Content_Types].xml\x00\x9c\xad",
    "회원명단.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x00\x00\xfe\xff\x80\x9c",
}


@pytest.fixture
def project(tmp_path):
    return copy_project(tmp_path)


@pytest.mark.parametrize("name", WORKBOOKS)
def test_a_workbook_given_for_its_csv_is_told_how_to_save_it(project, name):
    (project / name).write_bytes(WORKBOOKS[name])
    result = run_sotong(project, "subscribers", "import", name, env={"SOTONG_LANG": "ko"})
    assert result.code == 1 and "Traceback" not in result.output, result.output
    assert result.stderr.splitlines() == [
        f'{name}:1: 이 파일은 CSV가 아니라 엑셀 통합 문서(.xlsx, .xls)나 다른 문서입니다. 엑셀에서 열어 다른 이름으로 저장을 '
        '고르고 파일 형식을 "CSV UTF-8 (쉼표로 분리)"로 저장한 뒤 그 파일을 가져오세요']


def test_columns_missing_from_the_header_are_one_line(project):
    (project / "명단.csv").write_text("name,email,channels\n홍길동,hong@example.com,email\n", encoding="utf-8")
    result = run_sotong(project, "subscribers", "import", "명단.csv", env={"SOTONG_LANG": "ko"})
    assert result.code == 1 and "Traceback" not in result.output, result.output
    assert result.stderr.splitlines() == [
        "명단.csv:1: 다음 열이 없습니다: id, phone, birth_year, gender, dong, fields, kind, business_type, subscribed_at, "
        "unsubscribed_at. 머리줄에는 다음 열이 순서와 상관없이 모두 있어야 합니다(값이 없는 열은 비워 두면 됩니다): id, name, "
        "email, phone, birth_year, gender, dong, fields, channels, kind, business_type, subscribed_at, unsubscribed_at "
        "(groups는 있어도 되고 없어도 됩니다)"]
