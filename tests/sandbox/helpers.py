"""Requests to a sandbox over real HTTP, and answers checked against OnceHub's reference file.

Shared by the sandbox's test modules (none of them imports another).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import httpx

from oncehub_nb.sandbox import DEMO_KEY, Sandbox
from oncehub_nb.sandbox.clock import StartingAt, moment
from tests.reference import SPEC_URI, assert_valid, response_schema, spec
from tests.support import loopback

JSON = dict[str, Any]
# The sandboxes of these tests start their clocks here (see pinned()): the seeded data,
# made from the clock's time, is then the same whatever day the tests run.
START = datetime(2025, 3, 14, 16, 0, tzinfo=timezone.utc)
START_TEXT = "2025-03-14T16:00:00.000Z"
FULL_FORM = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")  # the reference's form
E164 = re.compile(r"^\+[1-9]\d{9,14}$")
UNDOCUMENTED = {  # statuses answered though the operation does not list them
    # an unknown user id: 404 as everywhere (only 200/400/401/422/429 are listed)
    ("get", "/users/{id}/scheduling-availability", 404),
    ("patch", "/users/{id}/scheduling-availability", 404),
    # a body without url, name or events: 400, which the README's errors say every
    # endpoint may answer (the operation lists only 200/401/409/429)
    ("post", "/webhooks", 400),
}

CLIENT = loopback()  # one long-lived client: making an httpx.Client takes tens of ms


def pinned() -> StartingAt:
    """A sandbox clock that starts at START and runs at the real pace."""
    return StartingAt(START)


def now_of(sandbox: Sandbox) -> datetime:
    """What time it is on ``sandbox``'s clock (UTC, to the millisecond)."""
    return moment(sandbox.clock)


# -- requests with the demo key, by path -----------------------------------------------------


def call(
    sandbox: Sandbox, method: str, path: str, key: str = DEMO_KEY, **kwargs: Any
) -> httpx.Response:
    return CLIENT.request(method, sandbox.base_url + path, headers={"API-Key": key}, **kwargs)


def get(sandbox: Sandbox, path: str, **params: Any) -> httpx.Response:
    return call(sandbox, "GET", path, params=params)


def post(sandbox: Sandbox, path: str, body: Any = None) -> httpx.Response:
    return call(sandbox, "POST", path, json=body)


def checked(response: httpx.Response, path: str, method: str = "get", status: int = 200) -> Any:
    """The body of a response with the documented status, validated against its schema."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert_valid(body, response_schema(path, method, status))
    return body


# -- requests through an Api object, checked by operation ------------------------------------


class Api:
    """Requests to one sandbox with the demo key."""

    def __init__(self, box: Sandbox, key: str = DEMO_KEY) -> None:
        self.box, self.headers = box, {"API-Key": key}

    def __call__(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return CLIENT.request(method, self.box.base_url + path, headers=self.headers, **kwargs)

    def all(self, name: str, **params: Any) -> list[JSON]:
        """Every object of a list, page by page (100 at a time)."""
        found: list[JSON] = []
        while True:
            page = self("GET", f"/{name}", params={"limit": 100, **params}).json()
            found += page["data"]
            if not page["has_more"]:
                return found
            params["after"] = page["data"][-1]["id"]


def valid_at(value: Any, pointer: str) -> None:
    """``value`` validates against the schema at ``pointer`` (``/components/...``) in the file."""
    assert_valid(value, {"$ref": f"{SPEC_URI}#{pointer}"})


def escape(part: str) -> str:
    """One part of a JSON pointer."""
    return part.replace("~", "~0").replace("/", "~1")


def documented(method: str, template: str) -> JSON:
    """The operation object of the reference file."""
    return spec()["paths"][template][method.lower()]


def conforms(response: httpx.Response, method: str, template: str, status: int) -> Any:
    """The body of ``response``: of a documented ``status``, valid against its schema."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    responses = documented(method, template)["responses"]
    body = response.json()
    if str(status) in responses:
        content = responses[str(status)].get("content")
        assert content is not None or "$ref" in responses[str(status)]
        pointer = f"/paths/{escape(template)}/{method.lower()}/responses/{status}"
        if "$ref" in responses[str(status)]:
            valid_at(body, "/components/schemas/Error")
        elif "schema" in content["application/json"]:
            valid_at(body, pointer + "/content/application~1json/schema")
    else:
        assert (method.lower(), template, status) in UNDOCUMENTED
    if status >= 400:
        valid_at(body, "/components/schemas/Error")
    return body


STAMP = re.compile(r"^\d{4}-\d\d-\d\dT")  # what looks like a date-time


def stamps(value: Any) -> Iterator[str]:
    """Every date-time string in a JSON value."""
    if isinstance(value, dict):
        for item in value.values():
            yield from stamps(item)
    elif isinstance(value, list):
        for item in value:
            yield from stamps(item)
    elif isinstance(value, str) and STAMP.match(value):
        yield value
