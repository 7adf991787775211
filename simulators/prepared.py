"""Hot-path statements compiled once per dialect and run on the DB-API cursor of a SQLAlchemy connection.

SQLAlchemy's compiled cache spares the compiling, but every `Connection.execute` still pays for its
execution context, parameter processing and result set: about ten times the cost of SQLite's own work
for a one-row insert. The few statements every service call runs (the tenant's settings and clock, the
journal, PSRM's received action) go through `Prepared` instead: the SQL text, the parameter order and the
bind and result processors (JSON, booleans) are taken from SQLAlchemy once per dialect, and each call is
one DB-API `execute` in the same transaction as the rest of the call.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]
    positional: bool
    defaults: dict[str, Any]
    binds: dict[str, Callable[[Any], Any]]
    columns: tuple[str, ...]
    results: tuple[Callable[[Any], Any] | None, ...]
    plan: tuple[tuple[str, Callable[[Any], Any] | None], ...]
    """Positional: each parameter's name and bind processor, in the statement's order."""


class Prepared:
    """One Core statement (a select, or an insert of `keys`), compiled once per dialect."""

    def __init__(self, statement: sa.Executable, keys: Sequence[str] | None = None) -> None:
        self.statement = statement
        self.keys = list(keys) if keys is not None else None
        self._by_dialect: dict[str, _Compiled] = {}

    def execute(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        """Run on the connection's DB-API cursor; returns that cursor (fetch from it)."""
        compiled, cursor = self._cursor(conn)
        cursor.execute(compiled.sql, _arguments(compiled, params))
        return cursor

    def execute_many(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run once per row, in one DB-API `executemany` (an INSERT of many rows, as Core would)."""
        compiled, cursor = self._cursor(conn)
        cursor.executemany(compiled.sql, [_arguments(compiled, row) for row in rows])

    def returning_many(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        """Run an INSERT … VALUES (…) RETURNING for many rows as one multi-row VALUES statement (or a few:
        at most SQLITE_MAX_VARIABLE_NUMBER parameters each); the rows it returns, in the database's order.
        Positional parameters (SQLite) only: others go through Core's insertmanyvalues."""
        compiled, cursor = self._cursor(conn)
        assert compiled.positional, "a multi-row VALUES is built for positional parameters only"
        per_statement = _MAX_VARIABLES // len(compiled.names)
        returned = []
        for start in range(0, len(rows), per_statement):
            part = rows[start : start + per_statement]
            cursor.execute(
                _many_values(compiled.sql, len(part)), [a for row in part for a in _arguments(compiled, row)]
            )
            returned.extend(cursor.fetchall())
        return returned

    def _cursor(self, conn: Connection) -> tuple[_Compiled, Any]:
        compiled = self._by_dialect.get(conn.dialect.name) or self._compile(conn)
        if not conn.in_transaction():  # so the caller's commit() commits what this wrote
            conn.begin()
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None, "an open Connection has its DB-API connection"
        return compiled, dbapi.cursor()

    def first(self, conn: Connection, params: Mapping[str, Any]) -> dict[str, Any] | None:
        """The first row as a dict of column key → value (result processors applied), or None."""
        compiled = self._by_dialect.get(conn.dialect.name) or self._compile(conn)
        row = self.execute(conn, params).fetchone()
        if row is None:
            return None
        return {
            key: process(value) if process is not None else value
            for key, process, value in zip(compiled.columns, compiled.results, row, strict=True)
        }

    def _compile(self, conn: Connection) -> _Compiled:
        dialect = conn.dialect
        kwargs: dict[str, Any] = {"dialect": dialect}
        if self.keys is not None:
            kwargs["column_keys"] = self.keys
        explicit = _bind_names(self.statement)
        given = set(self.keys or ()) | explicit
        statement = self.statement
        if isinstance(statement, sa.Select):  # IN lists rendered as one parameter per value
            kwargs["compile_kwargs"] = {"render_postcompile": True}
            if explicit:  # a stand-in value, so the IN lists can be rendered; every call passes its own
                statement = statement.params(dict.fromkeys(explicit, ""))
        compiled = statement.compile(**kwargs)  # type: ignore[attr-defined]  # Executable has no compile(); all given are ClauseElements (-> SQLCompiler)
        names = tuple(compiled.positiontup or ()) if compiled.positional else ()
        expanded = getattr(compiled, "_post_compile_expanded_state", None)  # IN lists rendered per value
        initial = expanded.parameters if expanded is not None else compiled.construct_params(_check=False)
        defaults = {k: v for k, v in initial.items() if k not in given and v is not None}
        binds = {
            name: process
            for name, process in compiled._bind_processors.items()
            if not isinstance(process, tuple)
        }
        selected = getattr(self.statement, "selected_columns", None)
        columns = tuple(c.key for c in selected) if selected is not None else ()
        results = tuple(c.type._cached_result_processor(dialect, None) for c in selected or ())
        plan = tuple((name, binds.get(name)) for name in names)
        prepared = _Compiled(
            compiled.string, names, compiled.positional, defaults, binds, columns, results, plan
        )
        self._by_dialect[dialect.name] = prepared
        return prepared


_MAX_VARIABLES = 32766
"""SQLite's most parameters in one statement (SQLITE_MAX_VARIABLE_NUMBER since 3.32)."""


@functools.lru_cache(maxsize=256)
def _many_values(sql: str, rows: int) -> str:
    """`sql`, an INSERT of one VALUES (…) group, with `rows` groups."""
    head, _, rest = sql.partition(" VALUES ")
    group, _, returning = rest.partition(" RETURNING ")
    assert group.startswith("(") and group.endswith(")"), sql
    return f"{head} VALUES {', '.join([group] * rows)}" + (f" RETURNING {returning}" if returning else "")


def _arguments(compiled: _Compiled, params: Mapping[str, Any]) -> Any:
    """The DB-API parameters of one execution, bound as Core would (a JSON column's None is JSON null)."""
    if compiled.positional:  # one pass in the statement's order (SQLite)
        defaults = compiled.defaults
        args = []
        for name, process in compiled.plan:
            value = params[name] if name in params else defaults[name]
            args.append(value if process is None else process(value))
        return args
    values = compiled.defaults | dict(params)
    for name, process in compiled.binds.items():
        if name in values:
            values[name] = process(values[name])
    return values


class PreparedInsert:
    """INSERTs of rows into one table, compiled once per set of keys (`Prepared`), many rows in one
    `executemany`. Rows whose keys differ from the first row's go through Core, as before."""

    def __init__(self, table: sa.Table) -> None:
        self.table = table
        self._by_keys: dict[tuple[str, ...], Prepared] = {}
        self._returning: dict[tuple[str, ...], Prepared] = {}

    def execute_one(self, conn: Connection, row: Mapping[str, Any]) -> int:
        """Insert one row; the id the database gave it (RETURNING, on SQLite and PostgreSQL alike)."""
        keys = tuple(row)
        prepared = self._returning.get(keys)
        if prepared is None:
            statement = sa.insert(self.table).returning(self.table.c.id)
            prepared = self._returning[keys] = Prepared(statement, keys)
        return int(prepared.execute(conn, row).fetchone()[0])

    def execute_many(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        keys = tuple(rows[0])
        if any(tuple(row) != keys for row in rows[1:]):
            conn.execute(sa.insert(self.table), list(rows))
            return
        prepared = self._by_keys.get(keys)
        if prepared is None:
            prepared = self._by_keys[keys] = Prepared(sa.insert(self.table), keys)
        prepared.execute_many(conn, rows)


def _bind_names(statement: sa.Executable) -> set[str]:
    """The names of the statement's explicit bindparam()s (the caller's parameters)."""
    from sqlalchemy.sql import visitors

    return {
        node.key
        for node in visitors.iterate(statement)  # type: ignore[arg-type]  # Executable is not Visitable; all given are ClauseElements
        if isinstance(node, sa.BindParameter) and node.value is None and node.callable is None
    }
