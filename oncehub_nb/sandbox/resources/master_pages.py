"""``/master-pages``: list, get, and one-time booking links, as OnceHub documents them.

A master page (``MasterPage`` schema: ``object``, ``id``, ``name``, ``label``,
``url``, ``active``) gathers booking pages under one public URL. Which booking
pages it gathers is not part of the object; ``booking_pages`` keeps that.

Tables: ``master-pages`` (the served objects), ``master-pages-deleted`` (pages
deleted in OnceHub's web app: unknown to GET, but a one-time link for one is the
documented 400 ``This master page is deleted``) and ``master-page-one-time-links``
(every link created, ``{"id", "url", "creation_time", "master_page"}``).
"""

from __future__ import annotations

import string
from typing import Any

from ..data import COMPANIES, make_id, rng_for, timestamp
from ..listing import PAGING, list_reply, object_reply
from ..replies import Reply, json_reply
from ..router import ApiProblem, NotFound, Request, api
from ..store import Account

TABLE, NOUN = "master-pages", "master page"
DELETED = "master-pages-deleted"
LINKS = "master-page-one-time-links"
LINK_URL = "https://book.example.com/."  # OnceHub's are https://go.oncehub.com/.<id>
PAGE_URL = "https://book.example.com/"
LINK_ID_LENGTH = 8  # as in the documented example "S617NW9C"
LINK_ALPHABET = string.ascii_uppercase + string.digits

# (name suffix, label, active): the company-wide page first, then the team pages.
PAGES = [("", "Main", True), (" Sales", "Sales", True), (" Customer Success", "Success", False)]
DELETED_PAGE = (" Webinars", "Webinars")


def _page(seed: int, company: str, suffix: str, label: str, active: bool) -> dict[str, Any]:
    compact = "".join(ch for ch in company if ch.isalnum())
    return {
        "object": "master_page",
        "id": make_id("MP", f"{seed}:{label}"),
        "name": f"{company}{suffix}",
        "label": label,
        "url": f"{PAGE_URL}{compact}{'' if label == 'Main' else label}".lower(),
        "active": active,
    }


def invent(seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The account's master pages, oldest first, and its deleted ones."""
    company = rng_for(seed, TABLE).choice(COMPANIES)
    pages = [_page(seed, company, *spec) for spec in PAGES]
    deleted = [_page(seed, company, *DELETED_PAGE, active=False)]
    return pages, deleted


def seed(account: Account) -> None:
    """Fill ``master-pages`` (and the deleted ones; no one-time links yet)."""
    pages, deleted = invent(account.seed)
    account.table(TABLE, NOUN).extend_oldest_first(pages)
    account.table(DELETED, NOUN).extend_oldest_first(deleted)
    account.table(LINKS, "one-time link", indexed=("master_page",))


@api.operation("GET", "/master-pages", query=PAGING)
def list_all(request: Request) -> Reply:
    """A page of master pages, newest first."""
    return list_reply(request, request.account.tables[TABLE])


@api.operation("GET", "/master-pages/{id}")
def get_one(request: Request) -> Reply:
    """One master page, or 404 ``No such master page``."""
    return object_reply(request, request.account.tables[TABLE])


def _new_link_id(account: Account) -> str:
    """A fresh link id, the same sequence for the same seed."""
    links = account.tables[LINKS]
    rng = rng_for(account.seed, f"{LINKS}:{len(links)}")
    while True:
        link_id = "".join(rng.choices(LINK_ALPHABET, k=LINK_ID_LENGTH))
        if link_id not in links:
            return link_id


@api.operation("POST", "/master-pages/{id}/one-time-links")
def create_one_time_link(request: Request) -> Reply:
    """200 with a new one-time link; 400 for a deleted master page; 404 for an unknown id."""
    account, page_id = request.account, request.path["id"]
    if page_id in account.tables[DELETED]:
        raise ApiProblem(400, f"This master page is deleted: '{page_id}'", "id")
    if page_id not in account.tables[TABLE]:
        raise NotFound(NOUN, page_id)
    link_id = _new_link_id(account)
    link = {"id": link_id, "url": LINK_URL + link_id, "creation_time": timestamp(request.now)}
    account.tables[LINKS].add({**link, "master_page": page_id})
    return json_reply(200, link)
