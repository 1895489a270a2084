"""API objects as a pandas DataFrame or a CSV file: nested fields in dotted columns.

Both flatten the same way as ``pandas.json_normalize(objects, sep=".")``: a nested
object's fields become ``owner.id``, ``event_type.name``…; lists stay lists (in the CSV,
JSON text). ``id`` comes first, and secret fields (webhook signing secrets) are masked.
In a DataFrame, columns of OnceHub timestamps (``2024-11-29T09:30:00Z`` or the full form
``2024-11-29T09:30:00.000Z``) become timezone-aware (UTC) datetime columns; the CSV keeps
the text as sent. pandas is imported only when a DataFrame is asked for; the CSV needs
only the stdlib.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oncehub_nb.display.cells import MASK, is_secret_field, mask_secrets

if TYPE_CHECKING:
    import pandas

__all__ = ["columns_of", "flatten", "secret_column", "to_dataframe", "write_csv"]

PANDAS_EXTRA = "pip install 'oncehub-nb[pandas]'"
# A date-time as OnceHub writes it: seconds, optional fractions, Z or an offset.
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def _pandas() -> Any:
    """The pandas module, or a ConfigError that names the extra to install."""
    try:
        import pandas
    except ImportError as error:
        from oncehub_nb.errors import ConfigError

        raise ConfigError(
            "DataFrames need pandas, which is not installed.",
            hint=f"Install it with: {PANDAS_EXTRA} (or save a CSV with .to_csv(path)).",
        ) from error
    return pandas


# -- DataFrame -----------------------------------------------------------------------------


def to_dataframe(objects: Sequence[Mapping[str, Any]]) -> pandas.DataFrame:
    """A DataFrame of the objects: dotted columns for nested fields, ``id`` first."""
    pd = _pandas()
    records = objects if isinstance(objects, list) else list(objects)
    frame = pd.json_normalize(records, sep=".")
    for column in frame.columns:
        if secret_column(column):
            frame[column] = _masked_column(frame[column])
        elif frame[column].dtype == object:
            _mask_in_lists(frame, column)
            _parse_timestamps(frame, column, pd)
        elif pd.api.types.is_string_dtype(frame[column].dtype):  # pandas 3's text columns
            _parse_timestamps(frame, column, pd)
    if "id" in frame.columns and frame.columns[0] != "id":
        frame.insert(0, "id", frame.pop("id"))
    return frame


def _parse_timestamps(frame: pandas.DataFrame, column: str, pd: Any) -> None:
    """Make a column of timestamps (its first value one, in either form, and every other
    value readable as one) datetime, in UTC; any other column stays as it is."""
    values = frame[column].dropna()
    first = values.iat[0] if not values.empty else None
    if not isinstance(first, str) or not TIMESTAMP.fullmatch(first):
        return
    try:
        parsed = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    except (TypeError, ValueError):
        return
    frame[column] = parsed


def secret_column(column: str) -> bool:
    """Whether a dotted column is, or lies inside, a secret field (``secret``, ``x.secret.y``)."""
    return any(is_secret_field(part) for part in column.split("."))


def _masked_column(series: pandas.Series) -> list[Any]:
    """Each set value replaced by ``MASK``; missing ones stay missing."""
    return [None if _missing(value) else MASK for value in series.array]


def _missing(value: Any) -> bool:
    return value is None or value != value  # NaN is the only value unequal to itself


def _mask_in_lists(frame: pandas.DataFrame, column: str) -> None:
    """Mask secrets inside the column's lists of objects (json_normalize keeps lists)."""
    values = frame[column].to_numpy(dtype=object).tolist()  # far quicker to walk than .array
    if not _holds_secret([value for value in values if type(value) is list]):
        return  # the usual case, found in a few C-speed passes
    frame[column] = [
        mask_secrets(value) if type(value) is list and _holds_secret([value]) else value
        for value in values
    ]


def _holds_secret(containers: list[Any]) -> bool:
    """Whether any of these lists and objects (JSON) holds a secret field, at any depth.

    Level by level, so that the work per item is a few C-speed steps (set unions and
    chains), not a Python call: the check runs over every list of a large DataFrame.
    """
    while containers:
        dicts = [c for c in containers if type(c) is dict]
        if dicts and any(is_secret_field(str(key)) for key in set().union(*dicts)):
            return True
        lists = [c for c in containers if type(c) is list]
        children = itertools.chain(
            itertools.chain.from_iterable(lists),
            itertools.chain.from_iterable(d.values() for d in dicts),
        )
        containers = [c for c in children if type(c) is dict or type(c) is list]
    return False


# -- CSV -----------------------------------------------------------------------------------


def flatten(obj: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """One object's fields, nested objects as dotted keys, in json_normalize's order.

    Non-object fields come first, then each nested object's flattened fields; an empty
    nested object has no column, as with ``pandas.json_normalize``.
    """
    flat: dict[str, Any] = {}
    nested: dict[str, Any] = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            nested.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    flat.update(nested)
    return flat


def columns_of(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every key of the rows, in order of first appearance, ``id`` first."""
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    columns = list(seen)
    if "id" in seen:
        columns.remove("id")
        columns.insert(0, "id")
    return columns


def _csv_value(column: str, value: Any) -> Any:
    """A cell: "" for None, ``MASK`` for a secret, JSON text for a list."""
    if value is None:
        return ""
    if secret_column(column):
        return MASK
    if isinstance(value, (list, tuple, Mapping)):
        return json.dumps(mask_secrets(value), ensure_ascii=False)
    return value


def write_csv(objects: Iterable[Mapping[str, Any]], path: str | os.PathLike[str]) -> Path:
    """Write the objects as CSV (dotted columns, ``id`` first, secrets masked); the path.

    The file appears complete or not at all: it is written beside ``path`` under a
    temporary name, then moved into place. A new file is readable by its owner only (it
    may hold people's details); a replaced one keeps its permissions. Needs no pandas.
    """
    target = Path(path)
    rows = [flatten(obj) for obj in objects]
    columns = columns_of(rows)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with contextlib.suppress(OSError):
            os.chmod(temporary, target.stat().st_mode & 0o7777)
        with open(handle, "w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(columns)
            for row in rows:
                writer.writerow([_csv_value(c, row.get(c)) for c in columns])
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
