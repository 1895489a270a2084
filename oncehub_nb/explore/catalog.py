"""What OnceHub's API v2 can be asked: every path and method, with its parameters.

The facts (paths, parameter names, types, allowed values, required body fields) follow
OnceHub's published reference; the one-line summaries are ours. :func:`find` turns
``METHOD path`` into an :class:`Endpoint` and the path's IDs, and :func:`check_query` /
:func:`check_body` refuse, before anything is sent, what OnceHub would refuse: an
unknown path, method, parameter or value. Where the reference leaves a thing open
(objects inside a body, bodies it does not describe) nothing is refused.
"""

from __future__ import annotations

import difflib
import html
import re
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from oncehub_nb.constants import METHODS
from oncehub_nb.errors import RequestProblem
from oncehub_nb.explore.resources import for_path

__all__ = [
    "CATALOG",
    "Endpoint",
    "EndpointTable",
    "Param",
    "check_body",
    "check_query",
    "endpoints_table",
    "find",
    "id_prefix",
    "normalize_path",
    "paths_for",
]


@dataclass(frozen=True)
class Param:
    """One parameter: where it goes, its type, and the values OnceHub takes.

    ``loose`` marks choices that are suggestions only (OnceHub accepts other values);
    ``bounds`` is an inclusive (low, high) range for integers.
    """

    name: str
    kind: str  # "string", "integer", "boolean", "number", "timestamp", "array", "object"
    summary: str
    choices: tuple[str, ...] = ()
    required: bool = False
    where: str = "query"  # "path", "query" or "body"
    loose: bool = False
    bounds: tuple[int, int] | None = None


@dataclass(frozen=True)
class Endpoint:
    """One operation: ``method`` and ``path`` template, what it takes and gives back.

    ``returns_list`` means a page of a list (``object: list``, ``data``, ``has_more``);
    ``expand`` holds the documented ``expand`` values (``data.``-prefixed on lists).
    """

    method: str
    path: str
    summary: str
    params: tuple[Param, ...] = ()
    returns_list: bool = False
    expand: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``"GET /bookings/{id}"``."""
        return f"{self.method} {self.path}"

    @property
    def path_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.where == "path")

    @property
    def query_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.where == "query")

    @property
    def body_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.where == "body")

    @property
    def query_names(self) -> tuple[str, ...]:
        """Query parameters it takes: those declared, and ``expand`` where documented."""
        names = tuple(p.name for p in self.query_params)
        return names if not self.expand or "expand" in names else (*names, "expand")

    def param(self, name: str, where: str | None = None) -> Param | None:
        """The parameter called ``name`` (in ``where``, if given), or None."""
        for p in self.params:
            if p.name == name and (where is None or p.where == where):
                return p
        return None

    @property
    def segments(self) -> tuple[str, ...]:
        """The template's segments: ``("bookings", "{id}", "cancel")``."""
        return tuple(s for s in self.path.split("/") if s)

    def matches(self, path: str) -> dict[str, str] | None:
        """The path's parameters if ``path`` (any form :func:`normalize_path` takes) fits."""
        parts = [s for s in normalize_path(path).split("/") if s]
        segments = self.segments
        if len(parts) != len(segments):
            return None
        found: dict[str, str] = {}
        for template, part in zip(segments, parts, strict=True):
            if template.startswith("{"):
                found[template[1:-1]] = part
            elif template != part:
                return None
        return found


# --- the declarations ------------------------------------------------------------

_PAGING = (
    Param("limit", "integer", "objects per page (1–100, default 10)", bounds=(1, 100)),
    Param("after", "string", "the page after this object ID"),
    Param("before", "string", "the page before this object ID"),
)

BOOKING_STATUSES = ("requested", "scheduled", "rescheduled", "completed", "canceled", "no_show")
BOOKING_EXPAND = ("booking_page", "master_page", "event_type", "owner", "conversation", "contact")
WEBHOOK_EVENTS = (
    "booking.scheduled",
    "booking.rescheduled",
    "booking.reassigned",
    "booking.canceled_then_rescheduled",
    "booking.canceled_reschedule_requested",
    "booking.canceled",
    "booking.completed",
    "booking.no_show",
    "conversation.started",
    "conversation.closed",
    "conversation.abandoned",
)
ROLES = ("Administrator", "Member", "Team Manager")
CONTACT_STATUSES = ("Qualified", "Sales qualified", "Marketing qualified", "Disqualified")


def _q(name: str, summary: str, kind: str = "string", choices: tuple[str, ...] = ()) -> Param:
    return Param(name, kind, summary, choices)


def _b(
    name: str,
    summary: str,
    kind: str = "string",
    choices: tuple[str, ...] = (),
    *,
    required: bool = False,
    loose: bool = False,
) -> Param:
    return Param(name, kind, summary, choices, required, "body", loose)


def _since_until(field_name: str, what: str) -> tuple[Param, Param]:
    return (
        _q(f"{field_name}.gt", f"{what} after this time", "timestamp"),
        _q(f"{field_name}.lt", f"{what} before this time", "timestamp"),
    )


def _ep(
    method: str,
    path: str,
    summary: str,
    *params: Param,
    lists: bool = False,
    expand: tuple[str, ...] = (),
) -> Endpoint:
    """One endpoint; path parameters come from the template, paging from ``lists``."""
    found = for_path(path)
    what = f"{found.noun} ID ({found.id_prefix}-…)" if found else "ID"
    ids = tuple(
        Param(
            name,
            "string",
            what,
            required=True,
            where="path",
        )
        for name in re.findall(r"\{(\w+)\}", path)
    )
    if lists:
        params = (*params, *_PAGING)
        expand = tuple(f"data.{e}" for e in expand)
    return Endpoint(method, path, summary, (*ids, *params), lists, expand)


_CONTACT_FIELDS = (
    _b("owner", "user ID of the contact's owner"),
    _b("status", "lead status (other values clear it)", choices=CONTACT_STATUSES, loose=True),
    _b("city", "city"),
    _b("company_size", "size of the company, e.g. 50-100"),
    _b("company", "company name"),
    _b("country", "country"),
    _b("employees", "number of employees", "integer"),
    _b("has_consent", "whether the contact gave consent", "boolean"),
    _b("job_title", "job title"),
    _b("phone", "phone number, E.164"),
    _b("post_code", "postal code"),
    _b("salutation", "salutation, e.g. Ms."),
    _b("state", "state or province"),
    _b("street_address", "street address"),
    _b("terms_of_sevice", "whether the terms of service were accepted", "boolean"),
    _b("timezone", "IANA time zone"),
    _b("custom_fields", "custom fields as [{name, value}]", "array"),
)

_BOOKING_FILTERS = (
    _q("status", "only bookings in this state", choices=BOOKING_STATUSES),
    _q("owner", "only bookings owned by this user ID"),
    _q("contact", "only bookings with this contact ID"),
    _q("booking_page", "only bookings made on this booking page ID"),
    _q("master_page", "only bookings made on this master page ID"),
    _q("event_type", "only bookings of this event type ID"),
    *_since_until("creation_time", "created"),
    *_since_until("starting_time", "starting"),
    *_since_until("last_updated_time", "changed"),
    _q("expand", "related objects to include in full"),
    _q("booking_calendar", "only bookings made on this booking calendar ID"),
    _q("host", "only bookings this user ID hosts or co-hosts"),
)

# fmt: off
CATALOG: tuple[Endpoint, ...] = (
    _ep("GET", "/test", "Check the API key; the answer names the account."),
    # bookings
    _ep("GET", "/bookings", "Bookings, newest first.", *_BOOKING_FILTERS, lists=True,
        expand=BOOKING_EXPAND),
    _ep("GET", "/bookings/{id}", "One booking.", expand=BOOKING_EXPAND),
    _ep("POST", "/bookings/{id}/cancel", "Call off a booking; the guest can be emailed.",
        _b("cancellation_reason", "why it is canceled"),
        _b("send_cancellation_email", "email the cancellation (default true)", "boolean"),
        expand=BOOKING_EXPAND),
    _ep("POST", "/bookings/{id}/request-reschedule", "Ask the guest to pick another time.",
        _b("reschedule_reason", "why a new time is needed"), expand=BOOKING_EXPAND),
    _ep("POST", "/bookings/{id}/reassign", "Hand a booking to another host.",
        _b("new_host", "user ID of the new host", required=True),
        _b("location", "video service for the meeting: {type, value}", "object"),
        expand=BOOKING_EXPAND),
    _ep("POST", "/bookings/{id}/no-show", "Mark that the guest did not show up.",
        expand=BOOKING_EXPAND),
    # booking calendars
    _ep("GET", "/booking-calendars", "Booking calendars.",
        _q("host", "only calendars hosted by this user or team ID"), lists=True),
    _ep("GET", "/booking-calendars/{id}", "One booking calendar."),
    _ep("GET", "/booking-calendars/{id}/time-slots", "Free time slots of a booking calendar.",
        _q("start_time", "first moment to look at (default now)", "timestamp"),
        _q("end_time", "last moment to look at (default a week on)", "timestamp")),
    _ep("POST", "/booking-calendars/{id}/schedule", "Book a time slot on a booking calendar.",
        _b("start_time", "the slot's start", "timestamp", required=True),
        _b("guest_time_zone", "the guest's IANA time zone", required=True),
        _b("booking_form", "the guest's answers: name, email, custom fields", "object",
           required=True),
        _b("location", "where the meeting happens: {type, value}", "object")),
    _ep("POST", "/booking-calendars/{id}/one-time-links", "A single-use link to a calendar.",
        _b("hide_url_params", "short link without visible parameters", "boolean"),
        _b("booking_form", "answers to fill in for the guest", "object"),
        _b("utm_params", "UTM values to record with the booking", "object")),
    # booking pages, event types, master pages
    _ep("GET", "/booking-pages", "Booking pages.",
        _q("master_page", "only pages under this master page ID"),
        _q("event_type", "only pages offering this event type ID"),
        _q("user", "only pages owned by this user ID"), lists=True),
    _ep("GET", "/booking-pages/{id}", "One booking page."),
    _ep("GET", "/event-types", "Event types.", lists=True),
    _ep("GET", "/event-types/{id}", "One event type."),
    _ep("GET", "/master-pages", "Master pages.", lists=True),
    _ep("GET", "/master-pages/{id}", "One master page."),
    _ep("POST", "/master-pages/{id}/one-time-links", "A single-use link to a master page."),
    # notifications
    _ep("GET", "/notifications/sms", "SMS messages sent from the account.",
        *_since_until("creation_time", "sent"),
        _q("recipient", "only messages to this contact or user ID"),
        _q("recipient_type", "only messages to contacts or to users", choices=("contact", "user")),
        _q("expand", "related objects to include in full"), lists=True, expand=("recipient",)),
    # users and teams
    _ep("GET", "/users", "Users of the account.", _q("email", "only the user with this email"),
        lists=True),
    _ep("POST", "/users", "Add a user.",
        _b("email", "the new user's email", required=True),
        _b("first_name", "first name", required=True),
        _b("last_name", "last name", required=True),
        _b("role_name", "role (default Member)", choices=ROLES),
        _b("teams", "team IDs to join", "array")),
    _ep("GET", "/users/{id}", "One user."),
    _ep("PATCH", "/users/{id}", "Change a user.",
        _b("first_name", "first name"),
        _b("last_name", "last name"),
        _b("role_name", "role", choices=ROLES),
        _b("teams", "team IDs (replaces the current ones)", "array")),
    _ep("DELETE", "/users/{id}", "Remove a user."),
    _ep("GET", "/users/{id}/scheduling-availability", "A user's weekly hours and exceptions."),
    _ep("PATCH", "/users/{id}/scheduling-availability", "Change a user's hours.",
        _b("weekly", "hours per weekday (each day given is replaced)", "array"),
        _b("overrides", "hours for particular dates", "array")),
    _ep("GET", "/teams", "Teams.", _q("user", "only teams this user ID belongs to"), lists=True),
    _ep("GET", "/teams/{id}", "One team."),
    # contacts
    _ep("GET", "/contacts", "Contacts, newest first.",
        _q("email", "only the contact with this email"),
        *_since_until("creation_time", "created"),
        *_since_until("last_updated_time", "changed"), lists=True),
    _ep("POST", "/contacts", "Add a contact.",
        _b("email", "email address"),
        _b("first_name", "first name", required=True),
        _b("last_name", "last name", required=True),
        _b("mobile_phone", "mobile number, E.164"),
        *_CONTACT_FIELDS),
    _ep("GET", "/contacts/{id}", "One contact."),
    _ep("PATCH", "/contacts/{id}", "Change a contact.",
        _b("first_name", "first name"),
        _b("last_name", "last name"),
        *_CONTACT_FIELDS),
    _ep("DELETE", "/contacts/{id}", "Remove a contact."),
    # webhooks
    _ep("POST", "/webhooks", "Subscribe a URL to booking and conversation events.",
        _b("url", "where OnceHub posts the events"),
        _b("name", "a name of your choice, unique in the account"),
        _b("events", "event names to send", "array", choices=WEBHOOK_EVENTS)),
    _ep("GET", "/webhooks", "Webhook subscriptions.", lists=True),
    _ep("GET", "/webhooks/{id}", "One webhook subscription."),
    _ep("DELETE", "/webhooks/{id}", "End a webhook subscription."),
)
# fmt: on


# --- paths ---------------------------------------------------------------------

_SCHEME_HOST = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")
_HOST = re.compile(r"^[\w-]+(\.[\w-]+)+(:\d+)?$")


def normalize_path(text: str) -> str:
    """``"https://api.oncehub.com/v2/bookings/?x=1"``, ``"v2/bookings"``, ``"bookings"``
    all give ``"/bookings"``."""
    text = _SCHEME_HOST.sub("", text.strip())
    text = text.split("#", 1)[0].split("?", 1)[0]
    parts = [p for p in text.split("/") if p]
    if parts and _HOST.match(parts[0]):
        parts = parts[1:]  # "api.oncehub.com/v2/bookings" without the scheme
    if parts and parts[0].lower() == "v2":
        parts = parts[1:]
    return "/" + "/".join(parts)


def paths_for(method: str | None = None) -> list[str]:
    """Path templates that take ``method`` (all of them for None), in catalog order."""
    wanted = method.upper() if method else None
    seen: dict[str, None] = {}
    for ep in CATALOG:
        if wanted is None or ep.method == wanted:
            seen.setdefault(ep.path, None)
    return list(seen)


def id_prefix(path: str) -> str | None:
    """The ID prefix of the objects under ``path``: ``"/bookings/{id}"`` gives ``"BKNG"``."""
    found = for_path(normalize_path(path))
    return found.id_prefix if found else None


def _specificity(ep: Endpoint) -> int:
    return sum(not s.startswith("{") for s in ep.segments)


def _suggest(path: str) -> list[str]:
    """Valid paths near ``path``, with the caller's IDs kept where the templates have them."""
    parts = [p for p in path.split("/") if p]
    same_depth: dict[str, None] = {}
    for template in paths_for(None):
        segs = [s for s in template.split("/") if s]
        if len(segs) == len(parts):
            filled = [p if s.startswith("{") else s for s, p in zip(segs, parts, strict=True)]
            same_depth.setdefault("/" + "/".join(filled), None)
    near = difflib.get_close_matches(path, list(same_depth), n=3, cutoff=0.6)
    return near or difflib.get_close_matches(path, paths_for(None), n=3, cutoff=0.6)


def find(method: str, path: str) -> tuple[Endpoint, dict[str, str]]:
    """The endpoint for ``method`` and ``path``, and the path's parameters.

    Raises RequestProblem for a path OnceHub does not have (naming the nearest ones) or
    a method the path does not take (naming those it does).
    """
    verb = (method or "GET").strip().upper()
    where = normalize_path(path)
    if where.startswith("/v1/") or where == "/v1":
        raise RequestProblem(
            f"{path} is an API v1 path; v1 is deprecated and this works with v2.",
            hint="Drop the /v1: paths are written as in v2, e.g. /bookings.",
        )
    hits = [(ep, args) for ep in CATALOG if (args := ep.matches(where)) is not None]
    if not hits:
        near = _suggest(where)
        message = f"OnceHub's API has no path {where}."
        if near:
            message += " Did you mean " + " or ".join(near) + "?"
        raise RequestProblem(message)
    best = max(_specificity(ep) for ep, _ in hits)
    hits = [(ep, args) for ep, args in hits if _specificity(ep) == best]
    for ep, args in hits:
        if ep.method == verb:
            return ep, args
    allowed = [m for m in METHODS if any(ep.method == m for ep, _ in hits)]
    template = hits[0][0].path
    raise RequestProblem(
        f"{template} does not take {verb}; it takes {', '.join(allowed)} (Allow: "
        f"{', '.join(allowed)}).",
        hint=f"Write e.g. %oncehub {allowed[0]} {where}.",
    )


# --- parameters and body ------------------------------------------------------------


def _values(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _near(name: str, names: list[str]) -> str:
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return f" Did you mean {close[0]}?" if close else ""


def _unknown(name: str, what: str, ep: Endpoint, names: list[str]) -> RequestProblem:
    if not names:
        return RequestProblem(f"{ep.label} takes no {what}s; {name!r} is not one.")
    return RequestProblem(
        f"{name!r} is not a {what} of {ep.label}.{_near(name, names)} It takes: {', '.join(names)}."
    )


def _is_whole(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value) is not None


def _check_value(ep: Endpoint, p: Param, value: Any, how: str) -> None:
    if p.kind == "integer":
        if not _is_whole(value):
            raise RequestProblem(
                f"{p.name} takes a whole number, not {value!r} ({ep.label}).",
                hint=f"Write e.g. {p.name}{how}10.",
            )
        if p.bounds and not p.bounds[0] <= int(value) <= p.bounds[1]:
            low, high = p.bounds
            raise RequestProblem(
                f"{p.name} must be between {low} and {high}, not {int(value)} ({ep.label}).",
                hint=f"Use {p.name}{how}{high} and --all to fetch more pages.",
            )
    elif (
        p.kind == "boolean"
        and p.where == "body"
        and not isinstance(value, bool)
        and str(value).lower() not in ("true", "false")
    ):
        raise RequestProblem(
            f"{p.name} takes true or false, not {value!r} ({ep.label}).",
            hint=f"Write {p.name}:=true or {p.name}:=false.",
        )
    if p.choices and not p.loose:
        for item in _values(value):
            if not isinstance(item, str):
                continue  # other types are OnceHub's to judge
            for part in item.split(",") if p.where == "query" else [item]:
                if part.strip() not in p.choices:
                    raise RequestProblem(
                        f"{part.strip()!r} is not a value {p.name} takes ({ep.label}). "
                        f"Use one of: {', '.join(p.choices)}."
                    )


def _check_expand(ep: Endpoint, value: Any) -> None:
    bare = [e.removeprefix("data.") for e in ep.expand]
    for item in _values(value):
        for part in str(item).split(","):
            part = part.strip()
            name = part.removeprefix("data.") if ep.returns_list else part
            if part and name.split(".")[0] not in bare:
                raise RequestProblem(
                    f"{part!r} cannot be expanded on {ep.label}. "
                    f"Expandable: {', '.join(ep.expand)}."
                )


def check_query(endpoint: Endpoint, params: Mapping[str, Any]) -> None:
    """Refuse query parameters ``endpoint`` does not take, or values OnceHub would refuse."""
    names = list(endpoint.query_names)
    for name, value in params.items():
        if name not in names:
            raise _unknown(name, "query parameter", endpoint, names)
        if name == "expand" and endpoint.expand:
            _check_expand(endpoint, value)
            continue
        p = endpoint.param(name, "query")
        if p is not None:
            for item in _values(value):
                _check_value(endpoint, p, item, "=")
    if "after" in params and "before" in params:
        raise RequestProblem(
            f"after and before cannot be used together ({endpoint.label}): give one of them."
        )


def check_body(endpoint: Endpoint, body: Mapping[str, Any] | None) -> None:
    """Refuse body fields ``endpoint`` does not take, values it would refuse, or a body
    missing a required field. Objects inside the body are not looked into."""
    fields = endpoint.body_params
    if endpoint.method in ("GET", "DELETE"):
        if body:
            raise RequestProblem(
                f"{endpoint.label} takes no body.",
                hint="Send parameters as name==value (query) items instead.",
            )
        return
    if body is not None and not isinstance(body, Mapping):
        raise RequestProblem(f"The body of {endpoint.label} must be a JSON object.")
    body = body or {}
    if not fields:
        return  # the reference describes no body here: nothing to go by
    names = [p.name for p in fields]
    for name, value in body.items():
        p = endpoint.param(name, "body")
        if p is None:
            raise _unknown(name, "body field", endpoint, names)
        _check_value(endpoint, p, value, ":=")
    missing = [p.name for p in fields if p.required and p.name not in body]
    if missing:
        raise RequestProblem(
            f"{endpoint.label} needs the body field{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}.",
            hint="Add them as name=value items (or name:=json).",
        )


# --- the table for %oncehub --endpoints ----------------------------------------------

_HEADS = ("Method", "Path", "Summary", "Query parameters", "Body fields (* required)")


@dataclass(frozen=True)
class EndpointTable:
    """What can be called, as text (terminals) and HTML (notebooks).

    Each row: method, path, summary, query parameters, body fields.
    ``text, html = endpoints_table()`` works too.
    """

    rows: tuple[tuple[str, str, str, str, str], ...]

    @property
    def text(self) -> str:
        """Aligned columns; the query and body columns shown when a row has any."""
        lines = []
        for row in self.rows:
            method, path, summary, query, body = row
            lines.append(f"{method:<6} {path:<40} {summary}")
            for label, names in (("query", query), ("body", body)):
                if names:
                    pad = " " * 48
                    lines.append(
                        textwrap.fill(
                            f"{label}: {names}",
                            width=120,
                            initial_indent=pad,
                            subsequent_indent=pad + "  ",
                            break_on_hyphens=False,
                        )
                    )
        return "\n".join(lines)

    @property
    def html(self) -> str:
        """An HTML table, every cell escaped."""
        head = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in _HEADS)
        rows = []
        for row in self.rows:
            cells = [f"<code>{html.escape(c)}</code>" for c in row[:2]]
            cells += [html.escape(c) for c in row[2:]]
            rows.append("".join(f"<td style='text-align:left'>{c}</td>" for c in cells))
        body = "".join(f"<tr>{r}</tr>" for r in rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def __str__(self) -> str:
        return self.text

    def __iter__(self) -> Iterator[str]:
        return iter((self.text, self.html))

    def _repr_html_(self) -> str:
        return self.html

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text)


def _query_summary(ep: Endpoint) -> str:
    parts = []
    for name in ep.query_names:
        p = ep.param(name, "query")
        if name == "expand":
            parts.append(f"expand ({', '.join(ep.expand)})")
        elif p is not None and p.choices:
            parts.append(f"{name} ({'|'.join(p.choices)})")
        else:
            parts.append(name)
    return ", ".join(parts)


def _body_summary(ep: Endpoint) -> str:
    return ", ".join(p.name + ("*" if p.required else "") for p in ep.body_params)


def endpoints_table(method: str | None = None) -> EndpointTable:
    """Every endpoint (or those taking ``method``): method, path, summary, query parameters
    and body fields."""
    wanted = method.upper() if method else None
    return EndpointTable(
        tuple(
            (ep.method, ep.path, ep.summary, _query_summary(ep), _body_summary(ep))
            for ep in CATALOG
            if wanted is None or ep.method == wanted
        )
    )
