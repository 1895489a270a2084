"""The ``API-Key`` header, set by an httpx auth whose repr shows only the masked key."""

from __future__ import annotations

from collections.abc import Generator

import httpx

from oncehub_nb.keys import ApiKey

__all__ = ["KEY_HEADER", "APIKeyAuth"]

KEY_HEADER = "API-Key"


class APIKeyAuth(httpx.Auth):
    """httpx auth that sets the ``API-Key`` header (httpx itself masks only Authorization)."""

    def __init__(self, key: ApiKey) -> None:
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[KEY_HEADER] = self._key.reveal()
        yield request

    def __repr__(self) -> str:
        return f"APIKeyAuth({self._key!r})"
