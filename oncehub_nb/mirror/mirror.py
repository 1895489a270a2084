"""A local copy of the account, to query with SQL and pandas: :class:`Mirror`.

``m.sql("select status, count(*) from bookings group by 1")`` returns a DataFrame,
``m.df("bookings")`` a whole table, ``m.tables`` the table names (child tables such as
``bookings__attendees`` included). Timestamps are timezone-aware (UTC). Shown, a mirror
is a table of its streams: rows held, what its last sync brought and cost.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oncehub_nb.display.once import TextView
from oncehub_nb.mirror.report import StreamReport, SyncReport
from oncehub_nb.mirror.streams import STREAMS, choose
from oncehub_nb.mirror.target import Target
from oncehub_nb.mirror.views import MirrorView, stream_row

if TYPE_CHECKING:
    import pandas

    from oncehub_nb.http.paging import PageSource
    from oncehub_nb.mirror.engine import StreamProgress
    from oncehub_nb.mirror.store import Store

__all__ = ["Mirror"]


class Mirror(TextView):
    """The mirror in a DuckDB file (or another dlt destination): query it, sync it again."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        to: str | None = None,
        report: SyncReport | None = None,
    ) -> None:
        self.target = Target.of(path, to)
        self.report = report  # the latest sync made through this object, if any
        self._store: Store | None = None
        self._connection: Any = None  # DuckDB, opened by the first query, closed to sync

    @property
    def path(self) -> Path | None:
        """The DuckDB file, or None for another destination."""
        return self.target.path if self.target.is_duckdb else None

    @property
    def store(self) -> Store:
        """dlt's pipeline for this mirror (opened on first use)."""
        if self._store is None:
            from oncehub_nb.mirror.store import Store

            self._store = Store(self.target)
        return self._store

    # -- syncing -------------------------------------------------------------------------

    def sync(
        self,
        *streams: str,
        full: bool = False,
        sweep: bool = False,
        client: PageSource | None = None,
        on_progress: StreamProgress | None = None,
        batch_rows: int | None = None,
    ) -> Mirror:
        """Bring the mirror up to date (every stream, or those named); returns itself.

        ``full`` reads bookings and contacts whole and removes what OnceHub no longer has;
        ``sweep`` does that for contacts only. Without ``client``, the session's.
        """
        from oncehub_nb.mirror.engine import BATCH_ROWS, sync_streams

        chosen = choose(streams)
        self.close()
        if client is None:
            from oncehub_nb.session import client as session_client

            client = session_client()
        self.report = sync_streams(
            client,
            self.store,
            chosen,
            full=full,
            sweep=sweep,
            batch_rows=batch_rows or BATCH_ROWS,
            on_progress=on_progress,
        )
        return self

    @property
    def ok(self) -> bool:
        """Whether the latest sync (if any) ended without an error or an interruption."""
        return self.report is None or self.report.ok

    # -- querying ------------------------------------------------------------------------

    @contextmanager
    def _duckdb(self) -> Iterator[Any]:
        """The DuckDB file's connection, kept open between queries (opening one costs
        about 50 ms); :meth:`close` (and every sync) closes it."""
        if self._connection is None:
            import duckdb

            assert self.path is not None
            connection = duckdb.connect(str(self.path))
            connection.execute("SET TimeZone = 'UTC'")
            self._connection = connection
        yield self._connection

    def close(self) -> None:
        """Close the DuckDB connection (another process may then open the file)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def sql(self, query: str) -> pandas.DataFrame:
        """The answer to a SQL query as a DataFrame (DuckDB's SQL for the DuckDB file)."""
        if self.path is not None:
            with self._duckdb() as connection:
                return connection.execute(query).df()
        with self.store.pipeline.sql_client() as client, client.execute_query(query) as cursor:
            return cursor.df()

    def df(self, table: str) -> pandas.DataFrame:
        """A whole table as a DataFrame (``bookings``, ``bookings__attendees`` …)."""
        if table not in self.tables:
            from oncehub_nb.errors import ConfigError

            raise ConfigError(
                f"The mirror has no table {table!r}.",
                hint=f"Its tables: {', '.join(self.tables) or 'none yet (sync first)'}.",
            )
        return self.sql(f'SELECT * FROM "{table}"')

    @property
    def tables(self) -> list[str]:
        """The mirror's tables, child tables included (dlt's own left out)."""
        return self.store.tables()

    def counts(self) -> dict[str, int | None]:
        """Rows held per stream (None: never synced)."""
        present = set(self.tables)
        names = [s.table for s in STREAMS if s.table in present]
        counts: dict[str, int | None] = {s.table: None for s in STREAMS}
        if not names:
            return counts
        if self.path is not None:
            with self._duckdb() as connection:
                for name in names:
                    [(value,)] = connection.execute(f'SELECT count(*) FROM "{name}"').fetchall()
                    counts[name] = int(value)
            return counts
        for name in names:
            counts[name] = self.store.count(name)
        return counts

    # -- showing -------------------------------------------------------------------------

    def _last(self, table: str) -> StreamReport | None:
        if self.report is not None:
            found = self.report.stream(table)
            if found is not None:
                return found
        stream = next(s for s in STREAMS if s.table == table)
        return StreamReport.of(self.store.state(stream).last)

    def view(self) -> MirrorView:
        """What the mirror shows."""
        counts = self.counts()
        rows = [stream_row(s.table, counts[s.table], self._last(s.table)) for s in STREAMS]
        notes = []
        report = self.report
        if report is not None and not report.ok:
            why = "interrupted" if report.interrupted else f"stopped: {report.error}"
            notes.append(f"The last sync was {why}. What was loaded stays; syncing again resumes.")
        if report is not None:
            notes.append(
                f"Last sync: {report.requests:,} requests · {report.waited:.1f} s waiting on "
                "rate limits"
            )
        notes.append('m.sql("select …") · m.df("bookings") · m.tables')
        if self.path is not None:
            notes.append(f"Also: %sql duckdb:///{self.path} (jupysql) · duckdb {self.path}")
        return MirrorView(f"OnceHub mirror: {self.target.describe()}", rows, notes)

    def __str__(self) -> str:
        return self.view().text()

    def _repr_html_(self) -> str:
        return self.view().html()

    def __repr__(self) -> str:
        return f"<Mirror {self.target.describe()}>"
