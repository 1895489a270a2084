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
    from jsonschema import Draft202012Validator
    from referencing import Registry

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
def registry() -> Registry:
    """The file as a resource that ``$ref``s into it resolve against."""
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

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
def _validator_class() -> type[Draft202012Validator]:
    """Draft 2020-12 whose ``$ref`` remembers what it found valid.

    Validating a value against a schema of the file always gives the same verdict (the
    file has no ``$dynamicRef``, and format checks are pure), so a value found valid
    against a ``$ref`` once is not walked again: the same booking served on many pages,
    or by many sandboxes seeded alike, is checked once per process. Only successes are
    remembered; a value that fails is checked, and reported, every time.
    """
    import json

    from jsonschema import Draft202012Validator, validators

    ref_keyword = Draft202012Validator.VALIDATORS["$ref"]
    found_valid: set[tuple[str, str]] = set()

    def ref(validator: Any, ref: str, instance: Any, schema: Any) -> Any:
        try:
            key = (
                SPEC_URI + ref if ref.startswith("#") else ref,
                json.dumps(instance, sort_keys=True),
            )
        except (TypeError, ValueError):  # not a JSON value: checked as it is, every time
            yield from ref_keyword(validator, ref, instance, schema)
            return
        if key in found_valid:
            return
        errors = list(ref_keyword(validator, ref, instance, schema))
        if not errors:
            found_valid.add(key)
        yield from errors

    return validators.extend(Draft202012Validator, {"$ref": ref})


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return _validator_class()(
        schema, registry=registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


@cache
def _validator_for(ref: str) -> Draft202012Validator:
    return _validator({"$ref": ref})


def assert_valid(body: Any, schema: dict[str, Any]) -> None:
    """``body`` validates against ``schema`` (Draft 2020-12, formats checked)."""
    # one validator per $ref, made once: they are reused
    validator = _validator_for(schema["$ref"]) if set(schema) == {"$ref"} else _validator(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
    assert not errors, errors[:5]
