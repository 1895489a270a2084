"""OnceHub's OpenAPI file, read from ../shared/reference, and checks of answers against it.

The file is never copied into the project; a test that needs it fails (not skips) when
it is missing.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parents[1].parent / "shared/reference/oncehub-api-v2.yaml"
SPEC_URI = "urn:oncehub-api-v2"
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


@cache
def spec() -> dict[str, Any]:
    """OnceHub's OpenAPI file; a missing file fails the test that needs it."""
    assert SPEC_PATH.is_file(), f"OnceHub's reference file is missing: {SPEC_PATH}"
    return yaml.load(SPEC_PATH.read_text(encoding="utf-8"), Loader=SAFE_LOADER)


@cache
def registry() -> Registry:
    """The file as a resource that ``$ref``s into it resolve against."""
    resource = Resource.from_contents(spec(), default_specification=DRAFT202012)
    return Registry().with_resource(SPEC_URI, resource)


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
def _validator_for(ref: str) -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": ref}, registry=registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def assert_valid(body: Any, schema: dict[str, Any]) -> None:
    """``body`` validates against ``schema`` (Draft 2020-12, formats checked)."""
    if set(schema) == {"$ref"}:
        validator = _validator_for(schema["$ref"])  # made once per schema: they are reused
    else:
        validator = Draft202012Validator(
            schema, registry=registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
        )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
    assert not errors, errors[:5]
