"""A PostgreSQL store that cannot be reached, as PR staff read it (Korean,
the default): what is wrong (the password, no server at that address, no
such database or user, no permission) and what to check, in one line. The
line held libpq's own English first line ("FATAL:  password authentication
failed for user ...", "Connection refused"), which said nothing staff could
act on. Never the password."""

from __future__ import annotations

import pytest
from postgres_server import new_database, role_with_password
from project_support import copy_project, run_sotong

PASSWORD = "Seongdong#2026!"


def _said(tmp_path, url: str, env: dict | None = None) -> str:
    tmp_path.mkdir(exist_ok=True)
    project = copy_project(tmp_path, extra_settings=f"SOTONG_DB = {url!r}")
    result = run_sotong(project, "db", "upgrade", env={"SOTONG_LANG": "ko", **(env or {})})
    assert result.code == 1, result.output
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1, result.output
    for english in ("FATAL", "failed", "Connection refused", "No such file", "does not exist", "fe_sendauth"):
        assert english not in result.stderr, result.stderr
    assert PASSWORD not in result.output and "wrong-password" not in result.output
    return result.stderr.strip()


def test_a_wrong_password_is_said_as_one(tmp_path):
    url = role_with_password("staff_pw", PASSWORD)
    assert _said(tmp_path, url, {"PGPASSWORD": "wrong-password"}) == (
        'SOTONG_DB: PostgreSQL 서버가 사용자 "staff_pw"의 비밀번호가 틀렸다고 합니다. PGPASSWORD, ~/.pgpass 파일 또는 '
        "서비스 파일에 적은 비밀번호를 확인하고 명령을 다시 실행하세요 (비밀번호는 SOTONG_DB에 넣지 마세요)")
    assert _said(tmp_path / "none", url, {"PGPASSWORD": ""}).startswith(
        'SOTONG_DB: PostgreSQL 서버가 사용자 "staff_pw"의 비밀번호를 요구하는데 비밀번호가 주어지지 않았습니다. ')
    (tmp_path / "right").mkdir()
    result = run_sotong(copy_project(tmp_path / "right", extra_settings=f"SOTONG_DB = {url!r}"), "db", "upgrade",
                        env={"PGPASSWORD": PASSWORD})
    assert result.code == 0, result.output


@pytest.mark.parametrize("url, said", [
    ("postgresql://sotong@/sotong?host=/nonexistent",
     "SOTONG_DB: /nonexistent:5432에서 응답하는 PostgreSQL 서버가 없습니다. 서버가 실행 중인지, SOTONG_DB의 호스트와 포트가 "
     "맞는지 확인하고 명령을 다시 실행하세요"),
    ("postgresql://sotong@127.0.0.1:1/sotong", "SOTONG_DB: 127.0.0.1:1에서 응답하는 PostgreSQL 서버가 없습니다. "),
    ("postgresql://sotong@dbserver.invalid/sotong",
     'SOTONG_DB: 네트워크에서 이름이 "dbserver.invalid"인 컴퓨터를 찾을 수 없습니다. SOTONG_DB의 호스트 이름(@ 뒤)에 '
     "오타가 없는지 확인하고 명령을 다시 실행하세요"),
])
def test_no_server_at_the_address_is_said_with_the_address(tmp_path, url, said):
    assert _said(tmp_path, url).startswith(said)


def test_a_database_or_user_the_server_lacks_is_named(tmp_path):
    url = new_database()
    missing = url.replace("/t_", "/sotong_missing_")
    name = missing.split("@/")[1].split("?")[0]
    assert _said(tmp_path, missing) == (
        f'SOTONG_DB: PostgreSQL 서버에 데이터베이스 "{name}"이(가) 없습니다. SOTONG_DB 끝의 데이터베이스 이름을 '
        f"확인하거나, 데이터베이스 관리자에게 만들어 달라고 한 뒤(createdb {name}) 명령을 다시 실행하세요")
    assert _said(tmp_path / "user", url.replace("sotong@", "hongbo@")).startswith(
        'SOTONG_DB: PostgreSQL 서버에 사용자 "hongbo"이(가) 없습니다. SOTONG_DB의 사용자 이름(@ 앞)을 확인하거나, ')


def test_a_user_without_permission_is_told_to_ask_the_administrator(tmp_path):
    import psycopg

    url = new_database()
    name = url.split("@/")[1].split("?")[0]
    with psycopg.connect(url.replace(f"/{name}", "/postgres"), autocommit=True) as admin:
        admin.execute("DO $$ BEGIN CREATE ROLE staff_closed LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
        admin.execute(f'REVOKE CONNECT ON DATABASE "{name}" FROM PUBLIC')
    assert _said(tmp_path, url.replace("sotong@", "staff_closed@")) == (
        f'SOTONG_DB: PostgreSQL 서버가 사용자 "staff_closed"의 데이터베이스 "{name}" 접속을 허락하지 않습니다(이 컴퓨터에서의 '
        "접속, 또는 그 데이터베이스에 대한 권한이 없습니다). 데이터베이스 관리자에게 접속을 허락해 달라고 하세요 "
        "(GRANT CONNECT, pg_hba.conf)")
