"""Event types, master pages, booking pages and SMS notifications in the sandbox.

Every answer is checked against the response schema of OnceHub's own OpenAPI
file (see tests/reference.py), over real HTTP with httpx.
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from oncehub_nb.sandbox import DEMO_KEY, Sandbox
from oncehub_nb.sandbox.resources import booking_pages, build_account, sms
from oncehub_nb.sandbox.store import Account, Sizes
from tests.reference import SPEC_URI, assert_valid, spec
from tests.sandbox.helpers import CLIENT, FULL_FORM, START_TEXT, call, checked, get, pinned

NEXT_LINK = re.compile(r'<([^>]+)>; rel="next"')
PREVIOUS_LINK = re.compile(r'<([^>]+)>; rel="previous"')
LINK_ID = re.compile(r"^[A-Z0-9]{8}$")
SMS_ID = re.compile(r"^SMS-[A-Z0-9]{8}$")
PHONE = re.compile(r"^\+\d{8,15}$")
MASTER_PAGE_LIST = {
    "type": "object",
    "required": ["object", "data", "has_more"],
    "properties": {
        "object": {"const": "list"},
        "data": {"type": "array", "items": {"$ref": f"{SPEC_URI}#/components/schemas/MasterPage"}},
        "has_more": {"type": "boolean"},
    },
}


def every(sandbox: Sandbox, path: str, **params: Any) -> list[dict[str, Any]]:
    """All objects of a list, followed page by page through ``Link: rel="next"``."""
    items: list[dict[str, Any]] = []
    url = sandbox.base_url + path
    response = CLIENT.get(url, headers={"API-Key": DEMO_KEY}, params={"limit": 7, **params})
    while True:
        assert response.status_code == 200, response.text
        items += response.json()["data"]
        found = NEXT_LINK.search(response.headers.get("link", ""))
        assert bool(found) == response.json()["has_more"]
        if not found:
            return items
        response = CLIENT.get(found.group(1), headers={"API-Key": DEMO_KEY})


def error(message: str, param: str | None = None) -> dict[str, str]:
    body = {"type": "invalid_request_error", "message": message}
    return body if param is None else {**body, "param": param}


def assert_error(response: httpx.Response, status: int, body: dict[str, str]) -> None:
    assert response.status_code == status
    assert response.json() == body
    assert_valid(response.json(), {"$ref": f"{SPEC_URI}#/components/schemas/Error"})


# -- the reference file declares what the sandbox serves -----------------------------------

OPERATIONS = [
    ("get", "/event-types"),
    ("get", "/event-types/{id}"),
    ("get", "/master-pages"),
    ("get", "/master-pages/{id}"),
    ("post", "/master-pages/{id}/one-time-links"),
    ("get", "/booking-pages"),
    ("get", "/booking-pages/{id}"),
    ("get", "/notifications/sms"),
]


@pytest.mark.needs_openapi
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_operations_are_documented_and_served(sandbox: Sandbox, method: str, path: str) -> None:
    assert method in spec()["paths"][path]
    concrete = path.replace("{id}", "XX-UNKNOWN")
    response = call(sandbox, method.upper(), concrete)
    assert response.status_code in (200, 404)
    if response.status_code == 404:  # the id, not the path, is unknown
        assert response.json()["param"] == "id"


# -- event types ---------------------------------------------------------------------------


@pytest.mark.needs_openapi
def test_event_types_list_and_get(sandbox: Sandbox) -> None:
    page = checked(get(sandbox, "/event-types", limit=100), "/event-types")
    types = page["data"]
    assert len(types) == 12 and page["has_more"] is False
    assert len({t["id"] for t in types}) == 12 == len({t["name"] for t in types})
    for item in types:
        assert item["object"] == "event_type" and item["id"].startswith("ET-")
        assert item["description"]
    one = checked(get(sandbox, f"/event-types/{types[5]['id']}"), "/event-types/{id}")
    assert one == types[5]


@pytest.mark.needs_openapi
def test_event_types_page_by_page(sandbox: Sandbox) -> None:
    first = checked(get(sandbox, "/event-types", limit=5), "/event-types")
    assert len(first["data"]) == 5 and first["has_more"] is True
    everything = every(sandbox, "/event-types")
    assert [t["id"] for t in everything[:5]] == [t["id"] for t in first["data"]]
    assert len({t["id"] for t in everything}) == 12
    back = get(sandbox, "/event-types", limit=5, before=everything[5]["id"])
    assert back.json()["data"] == everything[:5]
    assert NEXT_LINK.search(back.headers["link"]) and not PREVIOUS_LINK.search(back.headers["link"])


@pytest.mark.needs_openapi
def test_unknown_event_type_is_404(sandbox: Sandbox) -> None:
    response = get(sandbox, "/event-types/ET-NOPE")
    assert_error(response, 404, error("No such event type: 'ET-NOPE'", "id"))
    checked(response, "/event-types/{id}", status=404)


@pytest.mark.parametrize("path", ["/event-types", "/master-pages", "/booking-pages"])
@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"after": "XX-NOPE"}, "after"),
        ({"before": "XX-NOPE"}, "before"),
    ],
)
def test_bad_paging_is_400(sandbox: Sandbox, path: str, params: dict, param: str) -> None:
    response = get(sandbox, path, **params)
    assert response.status_code == 400
    assert response.json()["type"] == "invalid_request_error"
    assert response.json()["param"] == param


@pytest.mark.needs_openapi
def test_out_of_range_limit_is_the_documented_400(sandbox: Sandbox) -> None:
    example = spec()["components"]["examples"]["OutOfRangeLimitExample"]["value"]
    response = get(sandbox, "/event-types", limit=500)
    assert_error(response, 400, example)
    checked(response, "/event-types", status=400)


def test_both_cursors_is_400(sandbox: Sandbox) -> None:
    ids = [t["id"] for t in get(sandbox, "/event-types").json()["data"]]
    response = get(sandbox, "/booking-pages", after=ids[0], before=ids[1])
    assert response.status_code == 400
    assert response.json()["message"] == (
        "Received both before and after parameters. Please provide only one."
    )


@pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE", "PUT"])
@pytest.mark.parametrize("path", ["/event-types", "/master-pages", "/booking-pages"])
def test_read_only_lists_refuse_writes(sandbox: Sandbox, method: str, path: str) -> None:
    response = call(sandbox, method, path, json={})
    assert response.status_code == 405
    assert "GET" in response.headers["allow"] and method not in response.headers["allow"]


# -- master pages --------------------------------------------------------------------------


def master_pages(sandbox: Sandbox) -> list[dict[str, Any]]:
    response = get(sandbox, "/master-pages", limit=100)
    assert response.status_code == 200
    assert_valid(response.json(), MASTER_PAGE_LIST)
    return response.json()["data"]


@pytest.mark.needs_openapi
def test_master_pages_list_and_get(sandbox: Sandbox) -> None:
    pages = master_pages(sandbox)
    assert len(pages) == 3
    assert {p["active"] for p in pages} == {True, False}
    assert len({p["url"] for p in pages}) == 3
    for page in pages:
        assert page["object"] == "master_page" and page["id"].startswith("MP-")
        one = checked(get(sandbox, f"/master-pages/{page['id']}"), "/master-pages/{id}")
        assert_valid(one, {"$ref": f"{SPEC_URI}#/components/schemas/MasterPage"})
        assert one == page


@pytest.mark.needs_openapi
def test_unknown_master_page_is_404(sandbox: Sandbox) -> None:
    response = get(sandbox, "/master-pages/MP-NOPE")
    assert_error(response, 404, error("No such master page: 'MP-NOPE'", "id"))
    checked(response, "/master-pages/{id}", status=404)


@pytest.mark.needs_openapi
def test_one_time_links(sandbox: Sandbox) -> None:
    path = "/master-pages/{id}/one-time-links"
    page = master_pages(sandbox)[0]["id"]
    first = checked(call(sandbox, "POST", f"/master-pages/{page}/one-time-links"), path, "post")
    second = checked(call(sandbox, "POST", f"/master-pages/{page}/one-time-links"), path, "post")
    assert set(first) == {"id", "url", "creation_time"}
    assert LINK_ID.match(first["id"]) and first["url"].endswith("/." + first["id"])
    assert FULL_FORM.match(first["creation_time"])
    assert first["id"] != second["id"]
    links = sandbox.account().tables["master-page-one-time-links"]
    assert [link["id"] for link in links.newest_first(master_page=page)] == [
        second["id"],
        first["id"],
    ]


@pytest.mark.needs_openapi
def test_one_time_link_for_an_inactive_page_and_with_a_body(sandbox: Sandbox) -> None:
    inactive = next(p for p in master_pages(sandbox) if not p["active"])
    path = f"/master-pages/{inactive['id']}/one-time-links"
    response = call(sandbox, "POST", path, content=b"not even json")
    checked(response, "/master-pages/{id}/one-time-links", "post")


@pytest.mark.needs_openapi
def test_one_time_link_errors(sandbox: Sandbox) -> None:
    path = "/master-pages/{id}/one-time-links"
    unknown = call(sandbox, "POST", "/master-pages/MP-NOPE/one-time-links")
    assert_error(unknown, 404, error("No such master page: 'MP-NOPE'", "id"))
    checked(unknown, path, "post", 404)
    deleted = sandbox.account().tables["master-pages-deleted"].newest_first()[0]["id"]
    response = call(sandbox, "POST", f"/master-pages/{deleted}/one-time-links")
    assert_error(response, 400, error(f"This master page is deleted: '{deleted}'", "id"))
    checked(response, path, "post", 400)
    assert get(sandbox, f"/master-pages/{deleted}").status_code == 404
    assert deleted not in {p["id"] for p in master_pages(sandbox)}
    wrong = call(sandbox, "GET", f"/master-pages/{master_pages(sandbox)[0]['id']}/one-time-links")
    assert wrong.status_code == 405 and wrong.headers["allow"] == "POST"


@pytest.mark.needs_openapi
def test_reset_forgets_links_and_repeats_their_ids(sandbox: Sandbox) -> None:
    page = master_pages(sandbox)[1]["id"]
    made = call(sandbox, "POST", f"/master-pages/{page}/one-time-links").json()
    assert len(sandbox.account().tables["master-page-one-time-links"]) == 1
    sandbox.reset()
    assert len(sandbox.account().tables["master-page-one-time-links"]) == 0
    again = call(sandbox, "POST", f"/master-pages/{page}/one-time-links").json()
    assert again["id"] == made["id"]


# -- booking pages -------------------------------------------------------------------------


def booking_page_links(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    table = sandbox.account().tables["booking-page-links"]
    return {row["id"]: row for row in table.newest_first()}


@pytest.mark.needs_openapi
def test_booking_pages_list_and_get(sandbox: Sandbox) -> None:
    pages = checked(get(sandbox, "/booking-pages", limit=100), "/booking-pages")["data"]
    assert len(pages) == 8
    assert len({p["url"] for p in pages}) == 8 == len({p["label"] for p in pages})
    assert sum(not p["active"] for p in pages) == 1
    for page in pages:
        assert page["object"] == "booking_page" and page["id"].startswith("BP-")
        assert ZoneInfo(page["timezone"])
        one = checked(get(sandbox, f"/booking-pages/{page['id']}"), "/booking-pages/{id}")
        assert one == page


@pytest.mark.needs_openapi
def test_unknown_booking_page_is_404(sandbox: Sandbox) -> None:
    response = get(sandbox, "/booking-pages/BP-NOPE")
    assert_error(response, 404, error("No such booking page: 'BP-NOPE'", "id"))
    checked(response, "/booking-pages/{id}", status=404)


@pytest.mark.needs_openapi
def test_booking_pages_point_at_existing_objects(sandbox: Sandbox) -> None:
    users = {u["id"]: u for u in every(sandbox, "/users")}
    event_types = {t["id"] for t in every(sandbox, "/event-types")}
    masters = {m["id"]: m for m in master_pages(sandbox)}
    pages = {p["id"]: p for p in every(sandbox, "/booking-pages")}
    links = booking_page_links(sandbox)
    assert set(links) == set(pages)
    for page_id, row in links.items():
        owner = users[row["user"]]
        assert pages[page_id]["name"] == f"{owner['first_name']} {owner['last_name']}"
        assert pages[page_id]["timezone"] == owner["timezone"]
        assert row["event_types"] and set(row["event_types"]) <= event_types
        assert set(row["master_pages"]) <= set(masters)
    assert len({row["user"] for row in links.values()}) == 8


@pytest.mark.needs_openapi
@pytest.mark.parametrize(
    ("param", "field"),
    [("user", "user"), ("event_type", "event_types"), ("master_page", "master_pages")],
)
def test_booking_page_filters(sandbox: Sandbox, param: str, field: str) -> None:
    links = {
        i: row[field] if field != "user" else [row[field]]
        for i, row in booking_page_links(sandbox).items()
    }
    values = {value for linked in links.values() for value in linked}
    assert values
    sizes = []
    for value in sorted(values):
        body = checked(get(sandbox, "/booking-pages", **{param: value}), "/booking-pages")
        wanted = {i for i, linked in links.items() if value in linked}
        assert {p["id"] for p in body["data"]} == wanted
        sizes.append(len(wanted))
    assert min(sizes) < len(links)  # a filter that really filters
    assert get(sandbox, "/booking-pages", **{param: "XX-NOPE"}).json()["data"] == []


@pytest.mark.needs_openapi
def test_booking_page_filters_combine_and_page(sandbox: Sandbox) -> None:
    links = booking_page_links(sandbox)
    master = master_pages(sandbox)[-1]["id"]  # the company-wide page: every active page
    members = [i for i, row in links.items() if master in row["master_pages"]]
    assert len(members) >= 5
    listed = every(sandbox, "/booking-pages", master_page=master, limit=2)
    assert [p["id"] for p in listed] == members
    row = links[members[0]]
    both = get(sandbox, "/booking-pages", master_page=master, user=row["user"]).json()
    assert [p["id"] for p in both["data"]] == [members[0]]
    other = next(r["user"] for i, r in links.items() if i not in members)
    assert get(sandbox, "/booking-pages", master_page=master, user=other).json()["data"] == []


def test_booking_pages_scale_with_users() -> None:
    users = [
        {"id": f"USR-{n}", "first_name": "Sam", "last_name": "Lee", "status": "active"}
        for n in range(100)
    ]
    pages, links = booking_pages.invent(3, users, ["ET-A", "ET-B", "ET-C"], ["MP-A", "MP-B"])
    assert len(pages) == 32 == booking_pages.page_count(100)
    assert booking_pages.page_count(25) == 8
    assert len({p["label"] for p in pages}) == 32  # same names, still distinct labels
    assert sum(not p["active"] for p in pages) == 4 and pages[0]["active"]
    assert all(p["timezone"] == "America/New_York" for p in pages)
    assert {row["user"] for row in links} == {f"USR-{n}" for n in range(32)}


# -- SMS notifications ---------------------------------------------------------------------

SMS = "/notifications/sms"


def all_sms(sandbox: Sandbox, **params: Any) -> list[dict[str, Any]]:
    return every(sandbox, SMS, **params)


@pytest.mark.needs_openapi
def test_sms_list_validates_and_is_newest_first(sandbox: Sandbox) -> None:
    body = checked(get(sandbox, SMS, limit=100), SMS)
    items = body["data"]
    assert len(items) >= 10 and body["has_more"] is False
    times = [s["creation_time"] for s in items]
    assert times == sorted(times, reverse=True) and max(times) <= START_TEXT
    assert len({s["id"] for s in items}) == len(items)
    for item in items:
        assert SMS_ID.match(item["id"]) and item["type"] == "sms"
        assert item["object"] == "notification"
        assert PHONE.match(item["details"]["delivered_to"])
        assert item["details"]["segment_count"] == sms.segments(item["details"]["message_body"])
    assert {s["recipient_type"] for s in items} == {"contact", "user"}
    statuses = [s["status"] for s in items]
    assert statuses.count("delivered") > len(items) / 2


def test_sms_recipients_exist_and_got_bookings(sandbox: Sandbox) -> None:
    contacts = {c["id"] for c in every(sandbox, "/contacts")}
    users = {u["id"] for u in every(sandbox, "/users")}
    bookings = sandbox.account().tables["bookings"].newest_first()
    booked = {b["contact"] for b in bookings} | {b["owner"] for b in bookings}
    for item in all_sms(sandbox):
        assert item["recipient"] in (contacts if item["recipient_type"] == "contact" else users)
        assert item["recipient"] in booked


@pytest.mark.needs_openapi
def test_sms_filters(sandbox: Sandbox) -> None:
    items = all_sms(sandbox)
    for kind in ("contact", "user"):
        body = checked(get(sandbox, SMS, recipient_type=kind, limit=100), SMS)
        assert [s["id"] for s in body["data"]] == [
            s["id"] for s in items if s["recipient_type"] == kind
        ]
    recipient = items[0]["recipient"]
    mine = checked(get(sandbox, SMS, recipient=recipient, limit=100), SMS)["data"]
    assert mine == [s for s in items if s["recipient"] == recipient] and len(mine) < len(items)
    wrong_type = "user" if items[0]["recipient_type"] == "contact" else "contact"
    assert get(sandbox, SMS, recipient=recipient, recipient_type=wrong_type).json()["data"] == []
    assert get(sandbox, SMS, recipient="CTC-NOPE").json()["data"] == []


@pytest.mark.needs_openapi
def test_sms_time_range(sandbox: Sandbox) -> None:
    items = all_sms(sandbox)
    low, high = items[-3]["creation_time"], items[2]["creation_time"]
    inside = all_sms(sandbox, **{"creation_time.gt": low, "creation_time.lt": high})
    assert inside == [s for s in items if low < s["creation_time"] < high]
    assert 0 < len(inside) < len(items)
    later = checked(get(sandbox, SMS, **{"creation_time.gt": "2025-03-01", "limit": 100}), SMS)
    assert all(s["creation_time"] > "2025-03-01T00:00:00Z" for s in later["data"])
    assert len(later["data"]) == sum(s["creation_time"] > "2025-03-01T00:00:00Z" for s in items)


@pytest.mark.needs_openapi
def test_sms_reversed_time_range_is_the_documented_400(sandbox: Sandbox) -> None:
    example = spec()["components"]["examples"]["InvalidCreationDateRangeExample"]["value"]
    params = {"creation_time.gt": "2025-03-10T00:00:00Z", "creation_time.lt": "2025-03-01"}
    response = get(sandbox, SMS, **params)
    assert_error(response, 400, example)
    checked(response, SMS, status=400)


@pytest.mark.needs_openapi
def test_sms_unknown_recipient_type_is_the_documented_400(sandbox: Sandbox) -> None:
    documented = spec()["paths"][SMS]["get"]["responses"]["400"]["content"]["application/json"]
    example = documented["examples"]["invalid_recipient_type"]["value"]
    response = get(sandbox, SMS, recipient_type="customer")
    assert_error(response, 400, example)


@pytest.mark.needs_openapi
@pytest.mark.parametrize("asked", ["recipient", "data.recipient"])
def test_sms_expand_recipient(sandbox: Sandbox, asked: str) -> None:
    plain = get(sandbox, SMS, limit=100).json()["data"]
    body = checked(get(sandbox, SMS, expand=asked, limit=100), SMS)
    assert len(body["data"]) == len(plain)
    kinds = set()
    for before, after in zip(plain, body["data"], strict=True):
        kind = before["recipient_type"]
        path = "/contacts/{id}" if kind == "contact" else "/users/{id}"
        recipient = get(sandbox, path.replace("{id}", before["recipient"])).json()
        assert after == {**before, "recipient": recipient}
        assert recipient["object"] == kind
        kinds.add(kind)
    assert kinds == {"contact", "user"}


def test_sms_expand_survives_paging(sandbox: Sandbox) -> None:
    response = get(sandbox, SMS, expand="recipient", limit=3)
    following = NEXT_LINK.search(response.headers["link"]).group(1)
    assert "expand=recipient" in following
    second = CLIENT.get(following, headers={"API-Key": DEMO_KEY}).json()["data"]
    assert all(isinstance(s["recipient"], dict) for s in second)


@pytest.mark.needs_openapi
def test_sms_expand_keeps_the_id_of_a_recipient_gone(sandbox: Sandbox) -> None:
    texted = next(
        s for s in get(sandbox, SMS, limit=100).json()["data"] if s["recipient_type"] == "contact"
    )
    account = sandbox.account()
    with account.lock:
        account.tables["contacts"].delete(texted["recipient"])
    body = checked(get(sandbox, SMS, expand="recipient", recipient=texted["recipient"]), SMS)
    assert body["data"] and all(s["recipient"] == texted["recipient"] for s in body["data"])


@pytest.mark.needs_openapi
def test_sms_unknown_expansion_is_the_documented_400(sandbox: Sandbox) -> None:
    response = get(sandbox, SMS, expand="invalid_property")
    example = spec()["components"]["examples"]["InvalidExpansionExample"]["value"]
    assert_error(response, 400, example)
    checked(response, SMS, status=400)


@pytest.mark.needs_openapi
@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"creation_time.gt": "yesterday"}, "creation_time.gt"),
        ({"creation_time.lt": "2025-13-01"}, "creation_time.lt"),
        ({"limit": 0}, "limit"),
        ({"after": "SMS-NOPE"}, "after"),
        ({"recipient_type": ""}, "recipient_type"),
    ],
)
def test_sms_bad_parameters_are_400(sandbox: Sandbox, params: dict, param: str) -> None:
    response = get(sandbox, SMS, **params)
    assert response.status_code == 400
    assert response.json()["param"] == param
    checked(response, SMS, status=400)


@pytest.mark.needs_openapi
def test_sms_forbidden_plan_is_the_documented_403(sandbox: Sandbox) -> None:
    response = call(sandbox, "GET", SMS, key="sandbox-forbidden")
    forbidden = spec()["components"]["responses"]["Forbidden"]["content"]["application/json"]
    assert response.json() == forbidden["examples"]["Result"]["value"]
    checked(response, SMS, status=403)


def test_sms_is_read_only(sandbox: Sandbox) -> None:
    response = call(sandbox, "POST", SMS, json={})
    assert response.status_code == 405 and "GET" in response.headers["allow"]
    assert get(sandbox, f"{SMS}/SMS-AAAAAAAA").status_code == 404


# -- odd input never breaks anything -------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/event-types/%00",
        "/booking-pages/%F0%9F%98%80",
        "/master-pages/" + "x" * 3000,
        "/master-pages/%2F/one-time-links",
        "/booking-pages?user=%FF&event_type=&master_page=%00",
        "/notifications/sms?recipient=%00&expand=,,&limit=1",
        "/notifications/sms?expand=data.recipient,recipient",
    ],
)
def test_odd_input_is_answered(sandbox: Sandbox, path: str) -> None:
    response = CLIENT.request(
        "POST" if path.endswith("links") else "GET",
        sandbox.base_url + path,
        headers={"API-Key": DEMO_KEY},
    )
    assert response.status_code in (200, 400, 404)
    assert response.json()["type" if response.status_code != 200 else "object"]


# -- determinism and scale -----------------------------------------------------------------

LISTS = ["/event-types", "/master-pages", "/booking-pages", SMS]


def snapshot(sandbox: Sandbox) -> dict[str, list[dict[str, Any]]]:
    return {path: every(sandbox, path) for path in LISTS}


def test_same_seed_same_data_and_reset_restores(sandbox: Sandbox) -> None:
    with Sandbox(clock=pinned(), key_limit=None, address_limit=None) as other:
        assert snapshot(sandbox) == snapshot(other)
    before = snapshot(sandbox)
    page = before["/master-pages"][0]["id"]
    call(sandbox, "POST", f"/master-pages/{page}/one-time-links")
    sandbox.reset()
    assert snapshot(sandbox) == before


def test_other_seed_other_data(sandbox: Sandbox) -> None:
    with Sandbox(clock=pinned(), key_limit=None, address_limit=None, seed=7) as other:
        mine, theirs = snapshot(sandbox), snapshot(other)
    for path in LISTS:
        assert {i["id"] for i in mine[path]}.isdisjoint({i["id"] for i in theirs[path]}), path
    assert len(theirs["/event-types"]) == 12 and len(theirs["/booking-pages"]) == 8


def test_every_account_table_is_consistent() -> None:
    account = Account("ops@example.com", 11, Sizes(), build_account)
    tables = account.tables
    assert {"event-types", "master-pages", "booking-pages", "notifications/sms"} <= set(tables)
    assert tables["notifications/sms"].noun == "SMS notification"
    for row in tables["booking-page-links"].newest_first():
        assert row["user"] in tables["users"]
        assert all(e in tables["event-types"] for e in row["event_types"])
        assert all(m in tables["master-pages"] for m in row["master_pages"])
