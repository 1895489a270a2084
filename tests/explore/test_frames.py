"""DataFrames and CSV files of real sandbox objects: dotted columns, id first, secrets masked."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from oncehub_nb.display.cells import MASK
from oncehub_nb.errors import ConfigError
from oncehub_nb.explore import frames
from oncehub_nb.explore.frames import flatten, to_dataframe, write_csv
from oncehub_nb.sandbox import Sandbox
from tests.support import CANARY_KEY, loopback

JSON = dict[str, Any]
EXPANDED = "data.event_type,data.owner,data.contact,data.booking_page"


def listed(box: Sandbox, path: str, **params: Any) -> list[JSON]:
    response = loopback().get(
        box.base_url + path, params={"limit": 100, **params}, headers={"API-Key": CANARY_KEY}
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]


def webhooks_with_a_new_one(box: Sandbox) -> list[JSON]:
    body = {"url": "https://hooks.example.com/n", "name": "Fresh", "events": ["booking.canceled"]}
    response = loopback().post(
        box.base_url + "/webhooks", json=body, headers={"API-Key": CANARY_KEY}
    )
    assert response.status_code == 200, response.text
    hooks = listed(box, "/webhooks")
    assert response.json()["secret"] in [hook["secret"] for hook in hooks]
    return hooks


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        return list(reader.fieldnames or []), list(reader)


# -- DataFrame -----------------------------------------------------------------------------


def test_dotted_columns_like_json_normalize_with_id_first(sandbox: Sandbox) -> None:
    import pandas  # here, not at collection: only the worker running these tests loads it

    bookings = listed(sandbox, "/bookings", expand=EXPANDED)
    frame = to_dataframe(bookings)
    reference = pandas.json_normalize(bookings, sep=".")
    assert set(frame.columns) == set(reference.columns)
    assert frame.columns[0] == "id"
    assert list(frame.columns)[1:] == [c for c in reference.columns if c != "id"]
    assert {"owner.id", "owner.first_name", "event_type.name", "form_submission.name"} <= set(
        frame.columns
    )
    assert len(frame) == len(bookings)
    assert frame["owner.id"].tolist() == [b["owner"]["id"] for b in bookings]
    assert frame["attendees"].tolist() == [b["attendees"] for b in bookings]  # lists stay
    assert all(isinstance(value, list) for value in frame["owner.teams"])


def test_id_first_even_when_it_is_not_first_in_the_objects(sandbox: Sandbox) -> None:
    users = [{"email": u["email"], **u} for u in listed(sandbox, "/users")]
    assert next(iter(users[0])) == "email"
    assert list(to_dataframe(users).columns)[:2] == ["id", "email"]


def test_secrets_masked_in_dataframes(sandbox: Sandbox) -> None:
    hooks = webhooks_with_a_new_one(sandbox)
    secrets = [hook["secret"] for hook in hooks]
    frame = to_dataframe(hooks)
    assert frame["secret"].tolist() == [MASK] * len(hooks)
    assert frame["name"].tolist() == [hook["name"] for hook in hooks]
    nested = [{"id": "X-1", "hooks": hooks, "signing": {"secret": secrets[0], "alg": "sha256"}}]
    nested_frame = to_dataframe(nested)
    assert nested_frame["signing.secret"].tolist() == [MASK]
    assert nested_frame["signing.alg"].tolist() == ["sha256"]
    assert [hook["secret"] for hook in nested_frame["hooks"][0]] == [MASK] * len(hooks)
    for shown in (frame, nested_frame):
        dump = shown.to_csv() + repr(shown.to_dict())
        assert not any(secret in dump for secret in secrets)
    assert [hook["secret"] for hook in hooks] == secrets  # the objects are untouched


def test_a_missing_secret_stays_missing(sandbox: Sandbox) -> None:
    hooks = listed(sandbox, "/webhooks")
    hooks[0] = {**hooks[0], "secret": None}
    assert to_dataframe(hooks)["secret"].isna().tolist() == [True] + [False] * (len(hooks) - 1)


def test_without_pandas_a_config_error_names_the_extra(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    bookings = listed(sandbox, "/bookings")
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ConfigError) as caught:
        to_dataframe(bookings)
    assert "pandas" in caught.value.message
    assert "pip install 'oncehub-nb[pandas]'" in str(caught.value)


def test_importing_the_views_does_not_import_pandas() -> None:
    code = (
        "import sys\n"
        "import oncehub_nb.explore.views, oncehub_nb.explore.frames\n"
        "print(sorted(m for m in ('pandas', 'numpy', 'html.entities') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# -- CSV -----------------------------------------------------------------------------------


def test_csv_round_trip_without_pandas(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bookings = listed(sandbox, "/bookings", expand=EXPANDED)
    columns = list(to_dataframe(bookings).columns)
    monkeypatch.setitem(sys.modules, "pandas", None)
    path = write_csv(bookings, tmp_path / "bookings.csv")
    assert path == tmp_path / "bookings.csv"
    header, rows = read_csv(path)
    assert header == columns  # the DataFrame's columns, in its order
    assert len(rows) == len(bookings)
    for row, booking in zip(rows, bookings, strict=True):
        assert row["id"] == booking["id"]
        assert row["owner.email"] == booking["owner"]["email"]
        assert json.loads(row["attendees"]) == booking["attendees"]
        assert row["duration_minutes"] == str(booking["duration_minutes"])
        assert row["conversation"] == ""  # None
        if booking["event_type"] is not None:
            assert row["event_type.name"] == booking["event_type"]["name"]


def test_csv_masks_secrets(sandbox: Sandbox, tmp_path: Path) -> None:
    hooks = webhooks_with_a_new_one(sandbox)
    secrets = [hook["secret"] for hook in hooks]
    nested = [*hooks, {"id": "X-1", "hooks": hooks, "signing": {"secret": secrets[0]}}]
    path = write_csv(nested, tmp_path / "hooks.csv")
    text = path.read_text(encoding="utf-8")
    assert not any(secret in text for secret in secrets)
    header, rows = read_csv(path)
    assert header[0] == "id" and {"secret", "signing.secret", "events"} <= set(header)
    assert [row["secret"] for row in rows] == [MASK] * len(hooks) + [""]
    assert rows[-1]["signing.secret"] == MASK
    assert [hook["secret"] for hook in json.loads(rows[-1]["hooks"])] == [MASK] * len(hooks)
    assert json.loads(rows[0]["events"]) == hooks[0]["events"]


def test_csv_and_dataframe_flatten_alike(sandbox: Sandbox) -> None:
    contacts = listed(sandbox, "/contacts")
    bookings = listed(sandbox, "/bookings", expand=EXPANDED)
    for objects in (contacts, bookings, [{"id": "X-1", "empty": {}, "deep": {"a": {"b": 1}}}]):
        flat = frames.columns_of(flatten(obj) for obj in objects)
        assert flat == list(to_dataframe(objects).columns)


def test_csv_is_replaced_whole_or_not_at_all(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    teams, users = listed(sandbox, "/teams"), listed(sandbox, "/users")
    path = write_csv(teams, tmp_path / "out.csv")
    path.chmod(0o640)
    before = path.read_bytes()

    def broken_replace(source: Any, target: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_csv(users, path)
    assert path.read_bytes() == before  # the old file, intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]  # no temporary left
    monkeypatch.undo()
    write_csv(users, path)
    assert [row["id"] for row in read_csv(path)[1]] == [user["id"] for user in users]
    assert path.stat().st_mode & 0o777 == 0o640  # a replaced file keeps its permissions
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_timestamps_in_either_form_become_utc_datetimes():
    import pandas as pd

    objects = [
        {"id": "BKNG-1", "starting_time": "2024-11-29T09:30:00Z", "note": "2024-11-29T09:30:00Z"},
        {"id": "BKNG-2", "starting_time": "2024-11-29T10:30:00.250Z", "note": "see you"},
        {"id": "BKNG-3", "starting_time": None, "note": None},
    ]
    frame = to_dataframe(objects)
    column = frame["starting_time"]
    assert isinstance(column.dtype, pd.DatetimeTZDtype) and str(column.dtype.tz) == "UTC"
    assert column[0] == pd.Timestamp("2024-11-29T09:30:00", tz="UTC")
    assert column[1] == pd.Timestamp("2024-11-29T10:30:00.250", tz="UTC")
    assert pd.isna(column[2])
    assert not pd.api.types.is_datetime64_any_dtype(frame["note"])  # one is not: text
    assert frame["note"][0] == "2024-11-29T09:30:00Z"


def test_the_csv_keeps_timestamps_as_sent(tmp_path):
    path = write_csv(
        [{"id": "BKNG-1", "starting_time": "2024-11-29T09:30:00.000Z"}], tmp_path / "b.csv"
    )
    assert "2024-11-29T09:30:00.000Z" in path.read_text(encoding="utf-8")
