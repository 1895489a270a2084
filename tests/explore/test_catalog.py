"""The endpoint catalog against OnceHub's reference file, and the checks made before sending."""

from __future__ import annotations

import re
from typing import Any

import pytest

from oncehub_nb.errors import RequestProblem
from oncehub_nb.explore.catalog import CATALOG
from oncehub_nb.explore.checks import (
    check_body,
    check_query,
    find,
    id_prefix,
    normalize_path,
    paths_for,
    refusal,
)
from oncehub_nb.explore.endpoints import Endpoint
from oncehub_nb.explore.views import endpoints_table
from tests.reference import available, spec

# --- reading the reference file --------------------------------------------------------


def resolve(node: Any) -> Any:
    """Follow ``$ref``s inside the reference file."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def properties(schema: Any) -> dict[str, Any]:
    """Top-level properties of a schema, ``allOf`` parts merged."""
    schema = resolve(schema)
    found: dict[str, Any] = {}
    for part in schema.get("allOf", []):
        found.update(properties(part))
    found.update({k: resolve(v) for k, v in schema.get("properties", {}).items()})
    return found


def required(schema: Any) -> set[str]:
    schema = resolve(schema)
    names = set(schema.get("required", []))
    for part in schema.get("allOf", []):
        names |= required(part)
    return names


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, ops in spec()["paths"].items()
        for method, op in ops.items()
    ]


def each_operation() -> list[Any]:
    """The file's operations as parameters; without the file (collection needs none), one
    placeholder, which the needs_openapi marker skips."""
    if not available():
        return [pytest.param(None, None, None, id="no-openapi-file")]
    return [pytest.param(m, p, op, id=f"{m} {p}") for m, p, op in operations()]


def declared(op: dict[str, Any]) -> list[dict[str, Any]]:
    return [resolve(p) for p in op.get("parameters", [])]


def kind_of(schema: dict[str, Any]) -> str:
    types = schema.get("type", "object" if "properties" in schema or "allOf" in schema else "")
    if isinstance(types, list):
        types = next(t for t in types if t != "null")
    if types == "string" and schema.get("format") == "date":
        return "date"
    if types == "string" and schema.get("format") == "date-time":
        return "timestamp"
    return types


def body_schema(op: dict[str, Any]) -> Any:
    body = resolve(op.get("requestBody", {}))
    return body.get("content", {}).get("application/json", {}).get("schema")


def response_content(op: dict[str, Any]) -> dict[str, Any]:
    responses = op["responses"]
    ok = min(code for code in responses if code.startswith("2"))
    return resolve(responses[ok]).get("content", {}).get("application/json", {})


def endpoint(method: str, path: str) -> Endpoint:
    found = [ep for ep in CATALOG if ep.method == method and ep.path == path]
    assert len(found) == 1, (method, path)
    return found[0]


# --- the catalog is the reference's ---------------------------------------------------------


@pytest.mark.needs_openapi
def test_every_operation_and_nothing_else() -> None:
    in_file = {(method, path) for method, path, _ in operations()}
    in_catalog = [(ep.method, ep.path) for ep in CATALOG]
    assert len(in_file) == 38
    assert len(in_catalog) == len(set(in_catalog)), "an endpoint is declared twice"
    assert set(in_catalog) == in_file


@pytest.mark.needs_openapi
@pytest.mark.parametrize(("method", "path", "op"), each_operation())
def test_path_and_query_parameters_are_the_files(method: str, path: str, op: dict) -> None:
    ep = endpoint(method, path)
    params = declared(op)
    for where in ("path", "query"):
        expected = sorted(p["name"] for p in params if p["in"] == where)
        assert sorted(p.name for p in ep.params if p.where == where) == expected, where
    for p in params:
        ours = ep.param(p["name"], p["in"])
        assert ours is not None
        if p["in"] == "path":
            assert ours.required
        schema = resolve(p.get("schema", {}))
        assert ours.choices == tuple(schema.get("enum", ours.choices)), p["name"]


@pytest.mark.needs_openapi
def test_parameter_kinds_follow_the_file() -> None:
    differ = []
    for method, path, op in operations():
        for p in declared(op):
            ours = endpoint(method, path).param(p["name"], p["in"])
            assert ours is not None
            if ours.kind != kind_of(resolve(p["schema"])):
                differ.append((path, p["name"]))
    # The file types this one limit as a string; it is the same 1–100 limit as elsewhere.
    assert differ == [("/master-pages", "limit")]
    assert endpoint("GET", "/master-pages").param("limit").kind == "integer"


@pytest.mark.needs_openapi
def test_choices_without_an_enum_in_the_parameter() -> None:
    """Only bookings' status has choices the parameter itself does not list: the booking
    object's statuses."""
    extra = []
    for method, path, op in operations():
        for p in declared(op):
            ours = endpoint(method, path).param(p["name"], p["in"])
            if ours.choices and "enum" not in resolve(p["schema"]):
                extra.append((path, p["name"], ours.choices))
    statuses = properties(spec()["components"]["schemas"]["BookingBase"])["status"]["enum"]
    assert extra == [("/bookings", "status", tuple(statuses))]


@pytest.mark.needs_openapi
@pytest.mark.parametrize(("method", "path", "op"), each_operation())
def test_body_fields_are_the_files(method: str, path: str, op: dict) -> None:
    ep = endpoint(method, path)
    schema = body_schema(op)
    if schema is None:
        assert ep.body_params == ()
        return
    fields = {k: v for k, v in properties(schema).items() if not v.get("readOnly")}
    assert sorted(p.name for p in ep.body_params) == sorted(fields)
    assert {p.name for p in ep.body_params if p.required} == required(schema)
    for name, field in fields.items():
        ours = ep.param(name, "body")
        assert ours.kind == kind_of(field), name
        enum = [v for v in field.get("enum", []) if v is not None]
        if field.get("type") == "array" and ours.choices:
            enum = list(spec()["webhooks"])  # event names: the file's webhooks section
        assert list(ours.choices) == enum, name


@pytest.mark.needs_openapi
@pytest.mark.parametrize(("method", "path", "op"), each_operation())
def test_lists_and_expand_values_are_the_files(method: str, path: str, op: dict) -> None:
    ep = endpoint(method, path)
    content = response_content(op)
    top = properties(content.get("schema", {}))
    examples = [e.get("value") for e in content.get("examples", {}).values()]
    is_list = ("data" in top and top["data"].get("type") == "array") or any(
        isinstance(v, dict) and v.get("object") == "list" for v in examples
    )
    assert ep.returns_list == is_list
    objects = properties(top["data"]["items"]) if "data" in top else top
    documented = {
        name
        for name, prop in objects.items()
        if re.search(r"\bexpand", prop.get("description", ""), re.IGNORECASE)
    }
    for p in declared(op):
        if p["name"] == "expand":
            documented |= set(re.findall(r"`(\w+)`", p["description"]))
    prefix = "data." if ep.returns_list else ""
    assert set(ep.expand) == {prefix + name for name in documented}


def test_lists_take_paging_parameters() -> None:
    for ep in CATALOG:
        names = {p.name for p in ep.query_params}
        assert ({"limit", "after", "before"} <= names) == ep.returns_list, ep.label
        if ep.returns_list:
            assert ep.param("limit").bounds == (1, 100)


# --- paths -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "bookings",
        "/bookings",
        "v2/bookings",
        "/v2/bookings/",
        "https://api.oncehub.com/v2/bookings?limit=5",
        "https://api.oncehub.com/v2/bookings/#top",
        "api.oncehub.com/v2/bookings",
        "http://127.0.0.1:8765/v2/bookings",
        "  //bookings//  ",
    ],
)
def test_normalize_path(text: str) -> None:
    assert normalize_path(text) == "/bookings"


def test_normalize_path_keeps_ids() -> None:
    assert normalize_path("v2/bookings/BKNG-1/cancel") == "/bookings/BKNG-1/cancel"
    assert normalize_path("") == "/"


def test_find_gives_the_endpoint_and_the_ids() -> None:
    ep, args = find("post", "https://api.oncehub.com/v2/bookings/BKNG-1/cancel")
    assert (ep.method, ep.path, args) == ("POST", "/bookings/{id}/cancel", {"id": "BKNG-1"})
    ep, args = find("GET", "notifications/sms")
    assert (ep.path, args) == ("/notifications/sms", {})
    assert ep.matches("/bookings") is None
    assert endpoint("GET", "/bookings/{id}").matches("/bookings/X/y") is None


def test_unknown_path_names_the_nearest() -> None:
    with pytest.raises(RequestProblem) as caught:
        find("GET", "bokings")
    assert "/bokings" in caught.value.message
    assert "/bookings" in caught.value.message.split("Did you mean", 1)[1]
    assert caught.value.title == "Not sent"
    with pytest.raises(RequestProblem, match=r"/bookings/BKNG-1/cancel\b"):
        find("POST", "/bookings/BKNG-1/cancle")
    with pytest.raises(RequestProblem, match="booking-pages"):
        find("GET", "booking_pages")


def test_wrong_method_names_the_allowed() -> None:
    with pytest.raises(RequestProblem) as caught:
        find("PUT", "/users/USR-1")
    assert "GET, PATCH, DELETE" in caught.value.message
    with pytest.raises(RequestProblem, match=r"takes POST\b"):
        find("GET", "/bookings/BKNG-1/cancel")
    with pytest.raises(RequestProblem, match=r"takes GET, DELETE\b"):
        find("PATCH", "webhooks/WHK-1")


def test_v1_paths_are_refused_with_a_way_out() -> None:
    with pytest.raises(RequestProblem, match="v1") as caught:
        find("GET", "/v1/bookings")
    assert "/bookings" in caught.value.hint


def test_paths_for_and_id_prefix() -> None:
    assert paths_for("delete") == ["/users/{id}", "/contacts/{id}", "/webhooks/{id}"]
    assert len(paths_for(None)) == len({ep.path for ep in CATALOG})
    assert id_prefix("/bookings/{id}/cancel") == "BKNG"
    assert id_prefix("/booking-calendars/{id}") == "BKC"
    assert id_prefix("/test") is None


# --- query parameters ---------------------------------------------------------------------


def bookings() -> Endpoint:
    return endpoint("GET", "/bookings")


def test_known_query_parameters_pass() -> None:
    check_query(
        bookings(),
        {
            "status": "scheduled",
            "limit": "100",
            "after": "BKNG-1",
            "creation_time.gt": "2024-01-01",
            "expand": "data.owner,data.booking_page",
        },
    )
    check_query(bookings(), {"limit": 1, "status": ["completed", "canceled"]})
    check_query(endpoint("GET", "/bookings/{id}"), {"expand": "owner,event_type"})
    check_query(endpoint("GET", "/notifications/sms"), {"expand": "recipient"})
    check_query(endpoint("GET", "/notifications/sms"), {"expand": "data.recipient"})


def test_unknown_query_parameter_names_the_valid_ones() -> None:
    with pytest.raises(RequestProblem) as caught:
        check_query(bookings(), {"stauts": "scheduled"})
    message = caught.value.message
    assert "'stauts'" in message and "Did you mean status?" in message
    assert "creation_time.gt" in caught.value.hint and "limit" in caught.value.hint
    with pytest.raises(RequestProblem, match="takes no query parameters"):
        check_query(endpoint("GET", "/test"), {"limit": 5})


def test_value_outside_the_choices_names_them() -> None:
    with pytest.raises(RequestProblem) as caught:
        check_query(bookings(), {"status": "booked"})
    assert "'booked'" in caught.value.message
    assert "requested, scheduled, rescheduled, completed, canceled, no_show" in caught.value.hint
    with pytest.raises(RequestProblem, match="contact, user"):
        check_query(endpoint("GET", "/notifications/sms"), {"recipient_type": "team"})


@pytest.mark.parametrize("value", ["abc", "1.5", "", True, None])
def test_limit_takes_a_whole_number(value: Any) -> None:
    with pytest.raises(RequestProblem, match="limit takes a whole number"):
        check_query(bookings(), {"limit": value})


@pytest.mark.parametrize("value", [0, "101", 500, "-1"])
def test_limit_is_between_1_and_100(value: Any) -> None:
    with pytest.raises(RequestProblem, match="between 1 and 100") as caught:
        check_query(endpoint("GET", "/master-pages"), {"limit": value})
    assert "--all" in caught.value.hint


def test_expand_outside_the_documented_values() -> None:
    with pytest.raises(RequestProblem) as caught:
        check_query(bookings(), {"expand": "data.owner,data.invalid_property"})
    assert "'data.invalid_property'" in caught.value.message
    assert "data.booking_page" in caught.value.hint
    with pytest.raises(RequestProblem, match="cannot be expanded"):
        check_query(endpoint("GET", "/bookings/{id}"), {"expand": "recipient"})
    with pytest.raises(RequestProblem, match="takes no query parameters; 'expand'"):
        check_query(endpoint("GET", "/users/{id}"), {"expand": "owner"})


def test_after_and_before_together_are_refused() -> None:
    with pytest.raises(RequestProblem, match="after and before"):
        check_query(bookings(), {"after": "BKNG-1", "before": "BKNG-2"})


# --- body fields ---------------------------------------------------------------------------


def test_body_with_known_fields_passes() -> None:
    users = endpoint("POST", "/users")
    check_body(users, {"email": "a@b.c", "first_name": "A", "last_name": "B", "teams": ["TM-1"]})
    check_body(
        users, {"email": "a@b.c", "first_name": "A", "last_name": "B", "role_name": "Member"}
    )
    check_body(endpoint("PATCH", "/contacts/{id}"), {"employees": 5, "has_consent": "true"})
    check_body(endpoint("POST", "/webhooks"), {"events": ["booking.scheduled", "booking.no_show"]})
    check_body(endpoint("POST", "/bookings/{id}/cancel"), None)


def test_free_form_parts_are_not_refused() -> None:
    """Objects inside a body (custom booking form fields), loose choices and bodies the
    reference does not describe are OnceHub's to judge."""
    schedule = endpoint("POST", "/booking-calendars/{id}/schedule")
    check_body(
        schedule,
        {
            "start_time": "2025-01-01T10:00:00Z",
            "guest_time_zone": "Europe/Paris",
            "booking_form": {"name": "A", "email": "a@b.c", "my_picklist": ["x", "y"]},
        },
    )
    check_body(endpoint("POST", "/contacts"), {"first_name": "A", "last_name": "B", "status": "x"})
    check_body(endpoint("POST", "/master-pages/{id}/one-time-links"), {"anything": 1})


def test_unknown_body_field_names_the_valid_ones() -> None:
    with pytest.raises(RequestProblem) as caught:
        check_body(endpoint("PATCH", "/users/{id}"), {"frist_name": "A"})
    message = caught.value.message
    assert "'frist_name'" in message and "Did you mean first_name?" in message
    assert "last_name, role_name, teams" in caught.value.hint


def test_body_value_outside_the_choices() -> None:
    with pytest.raises(RequestProblem, match="Administrator, Member, Team Manager"):
        check_body(endpoint("PATCH", "/users/{id}"), {"role_name": "Owner"})
    with pytest.raises(RequestProblem, match=r"'booking\.created'"):
        check_body(endpoint("POST", "/webhooks"), {"events": ["booking.created"]})


def test_body_types_that_cannot_be_right() -> None:
    contact = endpoint("PATCH", "/contacts/{id}")
    with pytest.raises(RequestProblem, match="employees takes a whole number") as caught:
        check_body(contact, {"employees": "many"})
    assert "employees:=" in caught.value.hint
    with pytest.raises(RequestProblem, match="has_consent takes true or false") as caught:
        check_body(contact, {"has_consent": "yes"})
    assert "has_consent:=true" in caught.value.hint


def test_missing_required_body_fields_in_plural_and_singular() -> None:
    with pytest.raises(RequestProblem) as caught:
        check_body(endpoint("POST", "/users"), None)
    assert caught.value.message == (
        "POST /users needs the body fields email, first_name and last_name."
    )
    assert caught.value.hint == "Add them as name=value items (or name:=json)."
    with pytest.raises(RequestProblem) as caught:
        check_body(endpoint("POST", "/contacts"), {"email": "a@example.com", "first_name": "A"})
    assert caught.value.message == "POST /contacts needs the body field last_name."
    assert caught.value.hint == "Add it as a name=value item (or name:=json)."
    with pytest.raises(RequestProblem, match="needs the body field new_host"):
        check_body(endpoint("POST", "/bookings/{id}/reassign"), {"location": {}})


def test_the_refusal_of_a_preview_is_returned_not_raised() -> None:
    contacts = endpoint("POST", "/contacts")
    problem = refusal(contacts, {}, {"email": "a@example.com"})
    assert problem is not None
    assert "needs the body fields first_name and last_name" in problem.message
    assert refusal(contacts, {}, {"first_name": "A", "last_name": "B"}) is None
    assert "'booked'" in str(refusal(bookings(), {"status": "booked"}, None))
    assert refusal(endpoint("GET", "/bookings"), {"status": "scheduled"}, None) is None


def test_no_body_on_get_or_delete_and_objects_only() -> None:
    with pytest.raises(RequestProblem, match="takes no body"):
        check_body(endpoint("DELETE", "/users/{id}"), {"x": 1})
    check_body(endpoint("GET", "/bookings"), {})
    with pytest.raises(RequestProblem, match="JSON object"):
        check_body(endpoint("POST", "/webhooks"), ["booking.scheduled"])  # type: ignore[arg-type]


# --- the table -----------------------------------------------------------------------------


def test_endpoints_table_lists_everything_escaped() -> None:
    table = endpoints_table()
    text, markup = table
    assert str(table) == text and table._repr_html_() == markup
    for ep in CATALOG:
        assert ep.path in text and ep.path in markup
    assert len(table.rows) == 38
    assert "A user&#x27;s weekly hours" in markup and "A user's" not in markup
    assert table.rows[1][3].startswith("status (requested|scheduled|")
    assert "status" in text and "creation_time.gt" in text
    assert "new_host*" in text
    assert [row[0] for row in endpoints_table("delete").rows] == ["DELETE"] * 3


@pytest.mark.needs_openapi
def test_summaries_are_short_and_ours() -> None:
    in_file = {op.get("summary", "").lower() for _, _, op in operations()}
    for ep in CATALOG:
        assert ep.summary and len(ep.summary) <= 80, ep.label
        assert ep.summary.rstrip(".").lower() not in in_file, ep.label
