"""``core.querystrings.compile_for_postgres`` gives what Piccolo's ``compile_string("postgres")``
gives: the same statement text and the same values in the same order."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest
from piccolo.querystring import QueryString

from core.archive.queries.distribution import QueueFilter, queue_queries, span_page_query
from core.archive.queries.restanse_lists import restanse_select
from core.archive.queries.restanser import Scope, restanse_where
from core.archive.queries.visibility import Viewer
from core.querystrings import compile_for_postgres, pieces
from core.tables import Person, Unit

pytestmark = pytest.mark.engine_independent


def same_as_piccolo(query: QueryString) -> tuple[str, list[object]]:
    compiled = compile_for_postgres(query)
    assert compiled == query.compile_string(engine_type="postgres")
    return compiled


@pytest.mark.parametrize("codes", [frozenset(), frozenset({"13", "15"})])
def test_the_apps_list_statements(codes: frozenset[str]) -> None:
    viewer = Viewer(person_id=48, codes=codes)
    since = datetime(2026, 12, 1, 8, tzinfo=UTC)
    statements = [
        span_page_query(viewer, 5, "eldst", 50, 100, since),
        *queue_queries(viewer, 5, QueueFilter(sok="Bakken", type="I"), since),
        *queue_queries(viewer, None, QueueFilter(sok="2026/00012-3"), None),
        QueryString(
            "{} WHERE {}",
            restanse_select(viewer, since),
            restanse_where(Scope(saksbehandler_id=48), date(2026, 12, 7)),
        ),
    ]
    for statement in statements:
        text, values = same_as_piccolo(statement)
        assert f"${len(values)}" in text
        assert f"${len(values) + 1}" not in text


def test_piccolos_own_queries_with_columns() -> None:
    select = Person.select(Person.id, Person.unit.name).where((Person.active == True) & (Person.unit == 3))  # noqa: E712
    for query in [*select.querystrings, *Unit.update({Unit.name: "Ny"}).where(Unit.id == 7).querystrings]:
        same_as_piccolo(query)


@pytest.mark.parametrize(
    "query",
    [
        QueryString("SELECT 1"),
        QueryString(""),
        QueryString("{}", 5),
        QueryString("{} AND {}", QueryString(""), QueryString("x = {}", None)),
        QueryString("a = {} AND b = {}", 1),  # fewer values than places: the rest is text
        QueryString("a = {}", 1, 2),  # more values than places: the extra one is not used
        QueryString("SELECT '{{}}' || {} AS braces", "v"),
        QueryString("{}{}{}", QueryString("{}", 1), 2, QueryString("{}", QueryString("{}", 3))),
    ],
)
def test_edge_cases(query: QueryString) -> None:
    same_as_piccolo(query)


def test_a_frozen_statement_is_given_as_frozen() -> None:
    query = QueryString("x = {}", 1)
    query.freeze()
    query.args = [2]  # frozen: the earlier compilation counts, as in Piccolo
    assert compile_for_postgres(query) == ("x = $1", [1]) == query.compile_string()


def test_random_compositions() -> None:
    chance = random.Random(2026)

    def composed(depth: int) -> QueryString:
        places = chance.randint(0, 4)
        words = [
            chance.choice(["a", "b = ", " AND ", "(", ")", "{{", "}}", "", "æøå"]) for _ in range(places + 1)
        ]
        template = "{}".join(words)
        args: list[object] = []
        for _ in range(places + chance.choice([-1, 0, 0, 1])):
            if depth and chance.random() < 0.4:
                args.append(composed(depth - 1))
            else:
                args.append(chance.choice([1, "tekst", None, 2.5, date(2026, 1, 2), True]))
        return QueryString(template, *args)

    for _ in range(500):
        same_as_piccolo(composed(4))


def test_a_templates_pieces_are_parsed_once() -> None:
    template = "SELECT {} FROM core_unit WHERE id = {} -- test_a_templates_pieces_are_parsed_once"
    before = pieces.cache_info()
    compile_for_postgres(QueryString(template, QueryString("code"), 1))
    compile_for_postgres(QueryString(template, QueryString("name"), 2))
    after = pieces.cache_info()
    assert after.misses - before.misses == 3  # the template once, "code" and "name"
    assert after.hits - before.hits == 1


def test_a_subclass_with_its_own_compilation_is_compiled_by_it() -> None:
    class Ready(QueryString):
        def compile_string(self, engine_type: str = "postgres") -> tuple[str, list[object]]:
            return "SELECT $1", [42]

    assert compile_for_postgres(Ready("ignored {}", 1)) == ("SELECT $1", [42])
