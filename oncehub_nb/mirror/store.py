"""The mirror's tables through dlt: each batch of rows loaded with its stream's state.

dlt does what it does well here: the schema and its evolution, nested lists as child
tables (``bookings__attendees`` …), ``merge`` on ``id`` (child rows follow their parent),
hard deletes, state stored with the data, and its destinations. dlt is imported only
when a mirror is opened; its telemetry is off unless configured otherwise, and its
warnings about columns that are always null are not shown.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from oncehub_nb.errors import ConfigError
from oncehub_nb.mirror.state import StreamState
from oncehub_nb.mirror.streams import CURSOR, Stream
from oncehub_nb.mirror.target import Target
from oncehub_nb.mirror.watermark import parse_time

__all__ = ["DELETED", "MIRROR_EXTRA", "Batch", "Store", "deletion", "import_dlt"]

MIRROR_EXTRA = "pip install 'oncehub-nb[mirror]'"
DELETED = "_oncehub_deleted"  # dlt's hard-delete column: rows loaded with it True go away
_DLT_DEFAULTS = {"RUNTIME__DLTHUB_TELEMETRY": "false", "RUNTIME__LOG_LEVEL": "ERROR"}


@dataclass
class Batch:
    """Rows for one stream's table, and the state they bring it to."""

    stream: Stream
    rows: list[dict[str, Any]]
    state: StreamState
    disposition: str = "merge"  # or "replace", "append"


def deletion(object_id: str) -> dict[str, Any]:
    """A row that, merged, removes the object ``object_id`` and its child rows."""
    return {"id": object_id, DELETED: True}


def import_dlt() -> Any:
    """The dlt module (telemetry off, quiet, unless configured), or a ConfigError that
    names the extra to install."""
    for name, value in _DLT_DEFAULTS.items():
        os.environ.setdefault(name, value)
    try:
        import dlt
    except ImportError as error:
        raise ConfigError(
            "The mirror needs dlt and DuckDB, which are not installed.",
            hint=f"Install them with: {MIRROR_EXTRA}",
        ) from error
    return dlt


class Store:
    """One target's dlt pipeline: stream states in, batches of rows out, a few queries."""

    def __init__(self, target: Target) -> None:
        dlt = import_dlt()
        self.target = target
        self._dlt = dlt
        target.pipelines_dir.mkdir(parents=True, exist_ok=True)
        if target.is_duckdb:
            target.path.parent.mkdir(parents=True, exist_ok=True)
            destination: Any = dlt.destinations.duckdb(credentials=str(target.path))
        else:
            destination = target.destination
        try:
            self.pipeline = dlt.pipeline(
                pipeline_name=target.pipeline_name,
                destination=destination,
                dataset_name=target.dataset,
                pipelines_dir=str(target.pipelines_dir),
            )
        except Exception as error:  # an unknown destination, a missing driver
            raise ConfigError(
                f"dlt cannot use the destination {target.destination!r}: {error}",
                hint="Name a dlt destination and configure it as dlt does "
                "(environment variables or .dlt/secrets.toml).",
            ) from None

    # -- state ---------------------------------------------------------------------------

    def finish_pending(self) -> None:
        """Load what an interrupted sync extracted but did not load (dlt keeps it)."""
        if self.pipeline.has_pending_data:
            self.pipeline.normalize()
            self.pipeline.load()

    def state(self, stream: Stream) -> StreamState:
        """The stream's state as last loaded."""
        sources = self.pipeline.state.get("sources", {})
        source = sources.get(self.pipeline.default_schema_name or self.target.pipeline_name, {})
        return StreamState.of(source.get("resources", {}).get(stream.table))

    # -- loading -------------------------------------------------------------------------

    def load(self, batches: Sequence[Batch]) -> None:
        """Load each batch into its stream's table (``merge``, ``replace`` or ``append``),
        its stream's state with it, all in one dlt load. A load an earlier run left
        unfinished is finished first (dlt's ``run`` would load only that one)."""
        self.finish_pending()
        if batches:
            resources = [self._resource(b) for b in batches]
            self.pipeline.run(resources, loader_file_format=self.target.file_format)

    def _resource(self, batch: Batch) -> Any:
        dlt, stored, rows = self._dlt, batch.state.as_dict(), batch.rows
        columns = {**batch.stream.columns(), DELETED: {"hard_delete": True, "data_type": "bool"}}
        if batch.disposition != "merge":
            columns.pop(DELETED)

        @dlt.resource(
            name=batch.stream.table,
            write_disposition=batch.disposition,
            primary_key="id",
            columns=columns,
        )
        def rows_and_state() -> Iterator[Any]:
            resource_state = dlt.current.resource_state()
            resource_state.clear()
            resource_state.update(stored)
            if rows:
                yield list(rows)

        return rows_and_state()

    # -- queries -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _client(self) -> Iterator[Any]:
        with self.pipeline.sql_client() as client:
            yield client

    def has_table(self, table: str) -> bool:
        """Whether the table has been created in the destination."""
        schema = self.pipeline.default_schema if self.pipeline.default_schema_name else None
        return (
            schema is not None
            and table in schema.tables
            and bool(schema.tables[table].get("columns"))
        )

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of a query; table names are qualified with ``{name}`` placeholders."""
        with self._client() as client:
            return list(client.execute_sql(sql) or [])

    def qualified(self, table: str) -> str:
        with self._client() as client:
            return str(client.make_qualified_table_name(table))

    def held_times(self, stream: Stream) -> dict[str, datetime | None]:
        """Each ID held in the stream's table and its ``last_updated_time``."""
        if not self.has_table(stream.table):
            return {}
        with self._client() as client:
            name = client.make_qualified_table_name(stream.table)
            columns = self.pipeline.default_schema.tables[stream.table]["columns"]
            cursor = CURSOR if CURSOR in columns else "NULL"
            rows = client.execute_sql(f"SELECT id, {cursor} FROM {name}") or []
        return {str(i): parse_time(t) for i, t in rows}

    def stale_ids(self, stream: Stream, since: float) -> list[str]:
        """IDs whose rows were last loaded before ``since`` (seconds since the epoch): after a
        pass over everything that began then, those objects are gone from OnceHub."""
        if not self.has_table(stream.table):
            return []
        with self._client() as client:
            name = client.make_qualified_table_name(stream.table)
            rows = client.execute_sql(f"SELECT id, _dlt_load_id FROM {name}") or []
        return sorted(str(i) for i, load in rows if float(load) < since)

    def count(self, table: str) -> int | None:
        """Rows in a table, None when it does not exist yet."""
        if not self.has_table(table):
            return None
        with self._client() as client:
            name = client.make_qualified_table_name(table)
            [(value,)] = client.execute_sql(f"SELECT count(*) FROM {name}")
        return int(value)

    def tables(self) -> list[str]:
        """The mirror's tables (child tables included), without dlt's own."""
        if not self.pipeline.default_schema_name:
            return []
        schema = self.pipeline.default_schema
        return sorted(
            name
            for name, table in schema.tables.items()
            if not name.startswith("_dlt") and table.get("columns") and self._loaded(name)
        )

    def _loaded(self, table: str) -> bool:
        schema = self.pipeline.default_schema
        columns = schema.tables[table].get("columns", {})
        return any(not c.get("incomplete", False) and "data_type" in c for c in columns.values())
