"""OnceHub's OpenAPI file, read where it lies, and checks of answers against it.

The file is OnceHub's, never copied into the project. It is found at ``$ONCEHUB_OPENAPI``
when that is set (a relative path is taken from the repository's root, as ``make
conformance`` does), else at ``../shared/reference/oncehub-api-v2.yaml`` beside the
repository. Tests that read it are marked ``needs_openapi``: without the file they are
skipped, all with the one reason below; with ``ONCEHUB_OPENAPI_REQUIRED=1`` (CI) a
missing file stops the run before any test (see the root conftest.py).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import jsonschema_rs

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PATH = "../shared/reference/oncehub-api-v2.yaml"  # relative to the repository's root
SPEC_URI = "urn:oncehub-api-v2"
MARKER = "needs_openapi"


def locate() -> Path:
    """Where the file should be: ``$ONCEHUB_OPENAPI``, else the shared folder beside the repo."""
    path = Path(os.environ.get("ONCEHUB_OPENAPI") or DEFAULT_PATH).expanduser()
    return path if path.is_absolute() else (REPO / path).resolve()


SPEC_PATH = locate()
MISSING = (
    f"OnceHub's OpenAPI file not found at {SPEC_PATH}: download oncehub-api-v2.yaml from "
    "OnceHub's public developer-center repository on GitHub and set "
    "ONCEHUB_OPENAPI=/path/to/it"
)


def available() -> bool:
    return SPEC_PATH.is_file()


def required() -> bool:
    """Whether a missing file is an error (``ONCEHUB_OPENAPI_REQUIRED=1``) rather than a skip."""
    return os.environ.get("ONCEHUB_OPENAPI_REQUIRED", "").strip() not in ("", "0")


def skip_if_missing() -> None:
    """Skip the test (marked ``needs_openapi``) when the file is missing: the one place
    that skips, so ``pytest -ra`` reports every such skip on one line."""
    if not available():
        pytest.skip(MISSING)


@cache
def spec() -> dict[str, Any]:
    """OnceHub's OpenAPI file, parsed once per process."""
    if not available():  # only a test not marked needs_openapi gets here without the file
        pytest.fail(f"{MISSING}; a test that reads it must be marked {MARKER}", pytrace=False)
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
    return yaml.load(SPEC_PATH.read_text(encoding="utf-8"), Loader=loader)


@cache
def registry() -> jsonschema_rs.Registry:
    """The file as a resource that ``$ref``s into it resolve against."""
    import jsonschema_rs

    return jsonschema_rs.Registry([(SPEC_URI, spec())])


def pointer(*parts: str) -> str:
    """A JSON pointer into the reference file."""
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def response_schema(path: str, method: str, status: int) -> dict[str, Any]:
    """The schema the reference file gives one response, as a ``$ref`` into the file."""
    response = spec()["paths"][path][method]["responses"][str(status)]
    if "$ref" in response:
        return {"$ref": SPEC_URI + response["$ref"]}
    assert "schema" in response["content"]["application/json"], (path, method, status)
    parts = ("paths", path, method, "responses", str(status), "content", "application/json")
    return {"$ref": SPEC_URI + pointer(*parts, "schema")}


def component(name: str) -> dict[str, Any]:
    """A ``$ref`` to one of the file's component schemas."""
    return {"$ref": f"{SPEC_URI}#/components/schemas/{name}"}


@cache
def _validator_for(ref: str) -> jsonschema_rs.Draft202012Validator:
    from urllib.parse import quote

    import jsonschema_rs

    uri, _, fragment = ref.partition("#")  # a fragment is a URI part: "{id}" is escaped
    escaped = f"{uri}#{quote(fragment, safe='/~')}"
    return jsonschema_rs.Draft202012Validator(
        {"$ref": escaped}, registry=registry(), validate_formats=True
    )


def assert_valid(body: Any, schema: dict[str, Any]) -> None:
    """``body`` validates against ``schema`` (Draft 2020-12, formats checked).

    jsonschema-rs (the validator Schemathesis uses in ``make conformance``), one compiled
    validator per ``$ref``, reused: about 300 times faster than a pure-Python walk, which
    matters when a test checks every booking of a large account.
    """
    import jsonschema_rs

    if set(schema) == {"$ref"}:
        validator = _validator_for(schema["$ref"])
    else:
        validator = jsonschema_rs.Draft202012Validator(
            schema, registry=registry(), validate_formats=True
        )
    errors = [f"{list(e.instance_path)}: {e.message}" for e in validator.iter_errors(body)]
    assert not errors, errors[:5]
