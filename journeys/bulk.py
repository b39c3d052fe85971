"""Many rows in one statement. SQLAlchemy's per-row parameter processing, and on PostgreSQL one
statement execution per row, cost more than the work itself for batches of moments. So:

- PostgreSQL: one INSERT ... SELECT unnest($1), unnest($2), ... (or UPDATE ... FROM unnest)
  with one array parameter per column: one execution, one plan, whatever the number of rows;
- SQLite: one executemany of the statement compiled once, rows passed as plain tuples.

Statements are built with SQLAlchemy (portable, quoted, typed) and compiled once per dialect.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import ColumnElement, Table, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.types import String

Rows = Sequence[dict[str, Any]]
_compiled: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {}
_SQLITE_WHEN = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores datetimes in SQLite


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):  # journeys.db.UTCDateTime: naive UTC text
        return value.astimezone(UTC).strftime(_SQLITE_WHEN)
    return value


def _compile(conn: AsyncConnection, name: str, build: Callable[[], ClauseElement]) -> Any:
    key = (conn.dialect.name, name)
    found = _compiled.get(key)
    if found is None:
        compiled = build().compile(dialect=conn.dialect)
        # Both drivers take positional parameters, in the order the compiler lists them.
        names = getattr(compiled, "positiontup", None) or ()
        found = (str(compiled), tuple(names))
        _compiled[key] = found
    return found


async def _per_row(conn: AsyncConnection, name: str, build: Callable[[], ClauseElement],
                   rows: Rows) -> None:  # fmt: skip
    sql, names = _compile(conn, name, build)
    params = [tuple(_sqlite_value(row[n]) for n in names) for row in rows]
    await conn.exec_driver_sql(sql, params)  # type: ignore[arg-type]


async def _arrays(conn: AsyncConnection, name: str, build: Callable[[], ClauseElement],
                  rows: Rows, column_of: Callable[[str], str]) -> None:  # fmt: skip
    sql, names = _compile(conn, name, build)
    params = tuple([row[key] for row in rows] for key in map(column_of, names))
    await conn.exec_driver_sql(sql, params)


def _unnest(table: Table, columns: Sequence[str], prefix: str = "") -> list[Any]:
    return [
        func.unnest(bindparam(f"{prefix}{c}", type_=ARRAY(table.c[c].type))).label(c)
        for c in columns
    ]


async def insert(
    conn: AsyncConnection,
    table: Table,
    rows: Rows,
    on_conflict: Callable[[Any], Any],
    name: str,
    *,
    known_new: bool = False,
) -> None:
    """Insert rows holding every column of table; on_conflict finishes the statement, e.g.
    `lambda s: s.on_conflict_do_nothing(index_elements=["key"])` (s.excluded is available).

    known_new: the caller has made sure (under a lock) that no row exists yet, so PostgreSQL
    may COPY the rows in, binary, which is the fastest way in; a row that does exist after
    all fails the transaction instead of being skipped.
    """
    if not rows:
        return
    columns = [c.name for c in table.c]
    if conn.dialect.name == "postgresql" and known_new:
        raw = (await conn.get_raw_connection()).driver_connection
        assert raw is not None
        records = list(map(itemgetter(*columns), rows))
        await raw.copy_records_to_table(table.name, records=records, columns=columns)
    elif conn.dialect.name == "postgresql":
        source = select(*_unnest(table, columns))
        build = lambda: on_conflict(postgresql.insert(table).from_select(columns, source))  # noqa: E731
        await _arrays(conn, name, build, rows, lambda n: n)
    elif conn.dialect.name == "sqlite":
        await _per_row(conn, name, lambda: on_conflict(sqlite.insert(table)), rows)
    else:
        raise NotImplementedError(f"the journey store does not support {conn.dialect.name}")


async def update_by(
    conn: AsyncConnection, table: Table, key: str, columns: Sequence[str], rows: Rows, name: str
) -> None:
    """Set columns on the rows whose key matches; each row holds the key and the columns."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        values = select(*_unnest(table, [key, *columns], prefix="v_")).subquery("v")

        def build() -> Any:
            return (
                update(table)
                .where(table.c[key] == values.c[key])
                .values({c: values.c[c] for c in columns})
            )

        await _arrays(conn, name, build, rows, lambda n: n.removeprefix("v_"))
    else:
        statement = (
            update(table)
            .where(table.c[key] == bindparam(key + "_"))
            .values({c: bindparam(c + "_") for c in columns})
        )
        renamed = [{k + "_": v for k, v in row.items()} for row in rows]
        await _per_row(conn, name, lambda: statement, renamed)


def among(conn: AsyncConnection, column: Any, values: Sequence[str]) -> ColumnElement[bool]:
    """column IN values; on PostgreSQL one array parameter instead of one per value."""
    if conn.dialect.name == "postgresql":
        array = bindparam(None, list(values), type_=ARRAY(String))
        return column == array.any_()  # type: ignore[no-any-return]
    return column.in_(values)  # type: ignore[no-any-return]
