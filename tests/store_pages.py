"""What a PostgreSQL table's pages hold, read with pageinspect: the tests of
forget and the retention purges check that no dead row version keeps what
they erased (a vacuum has pruned it)."""

from __future__ import annotations


def row_versions(location: str, table: str) -> list[bytes]:
    """The data of every row version in ``table``'s pages, live or dead."""
    import psycopg

    with psycopg.connect(location, autocommit=True) as db:
        db.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        pages = db.execute("SELECT pg_relation_size(%s) / current_setting('block_size')::int", (table,)).fetchone()[0]
        return [bytes(data) for page in range(pages) for (data,) in db.execute(
            "SELECT t_data FROM heap_page_items(get_raw_page(%s, %s)) WHERE t_data IS NOT NULL", (table, page))]


def dead_row_versions(location: str, table: str) -> int:
    """Row versions in the pages beyond the table's live rows."""
    import psycopg

    with psycopg.connect(location, autocommit=True) as db:
        live = db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    return len(row_versions(location, table)) - live
