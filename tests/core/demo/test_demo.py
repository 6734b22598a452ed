"""``arkivrutiner demo-data`` is deterministic and idempotent."""

from __future__ import annotations

import sqlite3

from tests.core.test_db import run_cli


def people(path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "select p.name, p.initials, u.code from core_person p left join core_unit u on u.id = p.unit order by p.id"
        ).fetchall()


def test_demo_data_is_deterministic_and_loaded_once(tmp_path) -> None:
    first, second = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    for path in (first, second):
        result = run_cli("demo-data", database_url=f"sqlite:///{path}")
        assert result.returncode == 0, result.stderr
        assert "Demodata lagt inn: 37 enheter" in result.stdout
    assert people(first) == people(second)
    again = run_cli("demo-data", database_url=f"sqlite:///{first}")
    assert "allerede data" in again.stdout
    with sqlite3.connect(first) as conn:
        leaders = conn.execute("select count(*) from core_leadership").fetchone()[0]
        deputies = conn.execute("select count(*) from core_deputy_period").fetchone()[0]
        archive = conn.execute("select count(*) from core_person_role where role = 'arkiv'").fetchone()[0]
    assert leaders == 37 and deputies > 0 and archive == 2
