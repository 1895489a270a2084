"""Where a mirror lives: a DuckDB file next to the notebook, or any dlt destination.

``Target.of(path, to)`` names it: ``to`` None (or ``"duckdb"``) is the DuckDB file at
``path`` (the ``mirror`` setting, ``oncehub.duckdb`` by default); any other dlt
destination name (``postgres``, ``bigquery``, ``snowflake``, ``filesystem`` …) is
configured the way dlt configures it (environment variables such as
``DESTINATION__POSTGRES__CREDENTIALS``, or ``.dlt/secrets.toml``), and nothing else
changes. dlt's own working folder (state, load packages) is put beside the DuckDB file,
never in the user's home.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from oncehub_nb.constants import MIRROR_FILE
from oncehub_nb.errors import ConfigError

__all__ = ["WORKING_DIR", "Target"]

WORKING_DIR = ".oncehub-dlt"  # dlt's pipelines folder, beside the DuckDB file
DUCKDB = "duckdb"
# Destinations whose tables dlt can merge into; on the others (plain files) each pass
# replaces a table instead of merging into it.
NO_MERGE = frozenset({"filesystem"})
PARQUET = frozenset({"duckdb", "filesystem"})  # load through Parquet files: much faster


@dataclass(frozen=True)
class Target:
    """A destination and where dlt keeps its state for it."""

    destination: str  # "duckdb", or a dlt destination name
    path: Path  # the DuckDB file (for other destinations: anchors the working folder)

    @classmethod
    def of(cls, path: str | os.PathLike[str] | None = None, to: str | None = None) -> Target:
        """The DuckDB file ``path`` (default ``oncehub.duckdb``), or the destination ``to``."""
        destination = (to or DUCKDB).strip().lower()
        if not destination.replace("_", "").isalnum():
            raise ConfigError(
                f"--to takes a dlt destination name (duckdb, postgres, filesystem, …), not {to!r}."
            )
        file = Path(path or MIRROR_FILE).expanduser()
        return cls(destination, file.resolve())

    @property
    def is_duckdb(self) -> bool:
        return self.destination == DUCKDB

    @property
    def pipelines_dir(self) -> Path:
        """dlt's working folder: beside the DuckDB file, one per file (or destination)."""
        return (
            self.path.parent
            / WORKING_DIR
            / (self.path.name if self.is_duckdb else self.destination)
        )

    @property
    def pipeline_name(self) -> str:
        return f"oncehub_{self.destination}"

    @property
    def dataset(self) -> str:
        """DuckDB: its ``main`` schema, so ``select … from bookings`` works as it is; others:
        a dataset (schema, folder) named ``oncehub``."""
        return "main" if self.is_duckdb else "oncehub"

    @property
    def can_merge(self) -> bool:
        return self.destination not in NO_MERGE

    @property
    def file_format(self) -> str | None:
        return "parquet" if self.destination in PARQUET else None

    def describe(self) -> str:
        """Where the data goes, for people."""
        if self.is_duckdb:
            return str(self.path)
        return f"dlt destination {self.destination!r} (dataset {self.dataset!r})"
