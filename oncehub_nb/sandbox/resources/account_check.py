"""``GET /test``: is this key valid, and for which account."""

from __future__ import annotations

from ..replies import Reply, json_reply
from ..router import Request, api


@api.operation("GET", "/test")
def validate_key(request: Request) -> Reply:
    return json_reply(
        200, {"message": f"The API key is valid for account: {request.account.email}"}
    )
