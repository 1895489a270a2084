"""``/teams``: the account's teams (read-only in OnceHub's API).

A ``Team`` is ``{"object": "team", "id": "TM-…", "name"}``. Membership lives on the
users (``User.teams``), so ``GET /teams?user=USR-…`` lists the teams that user's
``teams`` names; an unknown or deleted user belongs to no team (an empty list).
"""

from __future__ import annotations

from typing import Any

from ..checks import Text
from ..data import make_id, rng_for
from ..listing import PAGING, list_reply, object_reply
from ..replies import Reply
from ..router import Request, api
from ..store import Account

TABLE, NOUN = "teams", "team"
JSON = dict[str, Any]
TEAM_COUNT = 3
TEAM_NAMES = (
    "Sales",
    "Customer Success",
    "Onboarding",
    "Support",
    "Partnerships",
    "Account Management",
    "Solutions Engineering",
    "Recruiting",
)


def invent(seed: int) -> list[JSON]:
    """The account's teams, oldest first."""
    names = rng_for(seed, TABLE).sample(TEAM_NAMES, TEAM_COUNT)
    return [
        {"object": "team", "id": make_id("TM", f"{seed}:{name}"), "name": name} for name in names
    ]


def seed(account: Account) -> None:
    """The account's invented teams."""
    account.table(TABLE, NOUN).extend_oldest_first(invent(account.seed))


@api.operation("GET", "/teams", query={"user": Text(), **PAGING})
def list_all(request: Request) -> Reply:
    """A page of teams, newest first; ``user`` keeps the teams that user belongs to."""
    wanted = request.query.get("user")
    if wanted is None:
        return list_reply(request, request.account.tables[TABLE])
    user = request.account.tables["users"].get(wanted) or {}
    member_of = frozenset(user.get("teams") or ())
    return list_reply(request, request.account.tables[TABLE], keep=lambda t: t["id"] in member_of)


@api.operation("GET", "/teams/{id}")
def get_one(request: Request) -> Reply:
    """One team; 404 for an unknown id."""
    return object_reply(request, request.account.tables[TABLE])
