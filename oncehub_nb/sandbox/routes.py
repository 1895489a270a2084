"""The read-only API surface: ``/v2/test``, list endpoints with cursors, single objects."""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlencode

from .data import Collection
from .replies import Reply, error_reply, json_reply, unrecognized

MAX_LIMIT = 100
DEFAULT_LIMIT = 10
READ_METHODS = ("GET", "HEAD")


def route(
    method: str,
    path: str,
    query: str,
    account: str,
    collections: dict[str, Collection],
    base_url: str,
) -> Reply:
    """Answer an authenticated request for ``path`` (which starts with ``/v2``)."""
    parts = [unquote(p) for p in path.split("/")[2:]]  # "/v2/users/X" -> ["users", "X"]
    known = (parts == ["test"]) or (len(parts) in (1, 2) and parts[0] in collections and all(parts))
    if not known:
        return unrecognized(method, path)
    if method not in READ_METHODS:
        reply = error_reply(
            405,
            "invalid_request_error",
            f"Unsupported method for this URL ({method}: {path}). "
            "The sandbox only serves read-only GET requests.",
        )
        reply.headers.append(("Allow", ", ".join(READ_METHODS)))
        return reply
    if parts == ["test"]:
        return json_reply(200, {"message": f"The API key is valid for account: {account}"})
    collection = collections[parts[0]]
    if len(parts) == 2:
        return _get_object(collection, parts[1])
    return _list(collection, query, base_url)


def _get_object(collection: Collection, object_id: str) -> Reply:
    item = collection.by_id.get(object_id)
    if item is None:
        return error_reply(
            404, "invalid_request_error", f"No such {collection.noun}: '{object_id}'", "id"
        )
    return json_reply(200, item)


def _parse_limit(raw: str | None) -> int | Reply:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        return error_reply(
            400,
            "invalid_request_error",
            f"Invalid integer: {raw}. Please provide a number between 1 and {MAX_LIMIT}.",
            "limit",
        )
    if not 1 <= limit <= MAX_LIMIT:
        return error_reply(
            400,
            "invalid_request_error",
            f"Out of range value: {limit}. Please provide a number between 1 and {MAX_LIMIT}.",
            "limit",
        )
    return limit


def _list(collection: Collection, query: str, base_url: str) -> Reply:
    params: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        params.setdefault(name, value)  # the first occurrence wins
    limit = _parse_limit(params.get("limit"))
    if isinstance(limit, Reply):
        return limit
    after, before = params.get("after") or None, params.get("before") or None
    if after and before:
        return error_reply(
            400,
            "invalid_request_error",
            "Received both before and after parameters. Please provide only one.",
            "before",
        )
    items = collection.items
    ids = [item["id"] for item in items]
    for name, cursor in (("after", after), ("before", before)):
        if cursor is not None and cursor not in collection.by_id:
            return error_reply(
                400, "invalid_request_error", f"No such {collection.noun}: '{cursor}'", name
            )
    if after is not None:
        start = ids.index(after) + 1
        end = min(start + limit, len(items))
    elif before is not None:
        end = ids.index(before)
        start = max(0, end - limit)
    else:
        start, end = 0, min(limit, len(items))
    page = items[start:end]
    has_more = start > 0 if before is not None else end < len(items)

    extra = [(k, v) for k, v in params.items() if k not in ("limit", "after", "before")]
    links = []
    if page and end < len(items):
        links.append((_page_url(base_url, collection, limit, "after", ids[end - 1], extra), "next"))
    if page and start > 0:
        url = _page_url(base_url, collection, limit, "before", ids[start], extra)
        links.append((url, "previous"))
    headers = [("Link", ", ".join(f'<{url}>; rel="{rel}"' for url, rel in links))] if links else []
    return json_reply(200, {"object": "list", "data": page, "has_more": has_more}, headers)


def _page_url(
    base_url: str,
    collection: Collection,
    limit: int,
    cursor_name: str,
    cursor: str,
    extra: list[tuple[str, str]],
) -> str:
    query = urlencode([("limit", str(limit)), (cursor_name, cursor), *extra])
    return f"{base_url}/{collection.name}?{query}"
