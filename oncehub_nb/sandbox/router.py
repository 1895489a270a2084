"""Operations declared once, and the dispatch that answers like OnceHub around them.

A resource module declares each operation with ``@api.operation(METHOD, PATH,
query=…, body=…)`` above its handler. The router then does what every endpoint
shares: 404 for unknown paths, 405 with ``Allow`` for a method the path does not
have, 400 for malformed JSON or a parameter that fails its declared check, and
OnceHub's error shapes for what handlers raise (:class:`ApiProblem`, ``NotFound``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, unquote

from .checks import Invalid, Kind, Record, check_body, check_query
from .replies import Reply, error_reply, unrecognized
from .store import Account

__all__ = ["ApiProblem", "NotFound", "Operation", "Request", "Router", "api"]

JSON = dict[str, Any]


@dataclass
class Request:
    """What a handler gets: the account, path parameters, checked query and body."""

    account: Account
    method: str
    path: dict[str, str]
    query: dict[str, Any]
    raw_query: dict[str, str]
    body: JSON | None
    base_url: str
    now: datetime


Handler = Callable[[Request], Reply]


class ApiProblem(Exception):
    """An OnceHub-shaped error raised by a handler: status, type, message, param."""

    def __init__(
        self,
        status: int,
        message: str,
        param: str | None = None,
        error_type: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.reply = error_reply(status, error_type, message, param)


class NotFound(ApiProblem):
    """404 for an id that names nothing: ``No such booking: 'BKNG-…'``."""

    def __init__(self, noun: str, object_id: str, param: str = "id") -> None:
        super().__init__(404, f"No such {noun}: '{object_id}'", param)


@dataclass(frozen=True)
class Operation:
    """One documented operation: method, path template, its parameters and its handler."""

    method: str
    template: str  # e.g. "/bookings/{id}/cancel", below /v2
    handler: Handler
    query: Mapping[str, Kind]
    body: Record | None

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.template.strip("/").split("/"))


class Router:
    """Every operation, found by path and method."""

    def __init__(self) -> None:
        self._operations: dict[tuple[str, ...], dict[str, Operation]] = {}

    def operation(
        self,
        method: str,
        template: str,
        *,
        query: Mapping[str, Kind] | None = None,
        body: Record | None = None,
    ) -> Callable[[Handler], Handler]:
        """Declare an operation; the decorated function answers it."""

        def register(handler: Handler) -> Handler:
            op = Operation(method.upper(), template, handler, dict(query or {}), body)
            self._operations.setdefault(op.segments, {})[op.method] = op
            return handler

        return register

    @property
    def operations(self) -> list[Operation]:
        return [op for by_method in self._operations.values() for op in by_method.values()]

    def _match(self, parts: list[str]) -> tuple[dict[str, Operation], dict[str, str]] | None:
        best: tuple[int, dict[str, Operation], dict[str, str]] | None = None
        for segments, by_method in self._operations.items():
            if len(segments) != len(parts):
                continue
            params: dict[str, str] = {}
            literal = 0
            for pattern, part in zip(segments, parts, strict=True):
                if pattern.startswith("{"):
                    if not part:
                        break
                    params[pattern[1:-1]] = part
                elif pattern == part:
                    literal += 1
                else:
                    break
            else:
                if best is None or literal > best[0]:
                    best = (literal, by_method, params)
        return None if best is None else (best[1], best[2])

    def answer(
        self,
        account: Account,
        method: str,
        path: str,
        query_string: str,
        body: bytes,
        base_url: str,
        now: datetime,
    ) -> Reply:
        """The reply to one authenticated request for ``path`` (which starts with ``/v2``)."""
        parts = [unquote(p) for p in path.split("/")[2:]]
        found = self._match(parts)
        if found is None:
            return unrecognized(method, path)
        by_method, path_params = found
        op = by_method.get(method) or (by_method.get("GET") if method == "HEAD" else None)
        if op is None:
            allowed = sorted(by_method) + (["HEAD"] if "GET" in by_method else [])
            reply = error_reply(
                405,
                "invalid_request_error",
                f"Unsupported method for this URL ({method}: {path}). Allowed: "
                f"{', '.join(allowed)}.",
            )
            reply.headers.append(("Allow", ", ".join(allowed)))
            return reply
        raw_query: dict[str, str] = {}
        for name, value in parse_qsl(query_string, keep_blank_values=True):
            raw_query.setdefault(name, value)  # the first occurrence wins
        try:
            checked_body = _read_body(op, body) if method in ("POST", "PATCH", "PUT") else None
            request = Request(
                account=account,
                method=method,
                path=path_params,
                query=check_query(raw_query, op.query),
                raw_query=raw_query,
                body=checked_body,
                base_url=base_url,
                now=now,
            )
            with account.lock:
                return op.handler(request)
        except Invalid as problem:
            return error_reply(400, "invalid_request_error", problem.message, problem.param)
        except ApiProblem as problem:
            return problem.reply


def _read_body(op: Operation, body: bytes) -> JSON | None:
    if op.body is None:
        return None
    if not body.strip():
        body = b"{}"
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        raise Invalid("Invalid JSON in the request body.", "body") from None
    return check_body(value, op.body)


api = Router()  # the one router every resource module declares its operations on
