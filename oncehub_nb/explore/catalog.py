"""What OnceHub's API v2 can be asked: every path and method, declared once.

The facts (paths, parameter names, types, allowed values, required body fields) follow
OnceHub's published reference; the one-line summaries are ours. ``explore.checks``
reads :data:`CATALOG` to refuse, before anything is sent, what OnceHub would refuse.
"""

from __future__ import annotations

import re

from oncehub_nb.explore.endpoints import Endpoint, Param
from oncehub_nb.explore.resources import for_path

__all__ = [
    "BOOKING_EXPAND",
    "BOOKING_STATUSES",
    "CATALOG",
    "CONTACT_STATUSES",
    "ROLES",
    "WEBHOOK_EVENTS",
]


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


def _since_until(field_name: str, what: str, kind: str = "date") -> tuple[Param, Param]:
    """The ``.gt``/``.lt`` pair: dates (compared whole) unless the reference says date-time."""
    unit = "day" if kind == "date" else "time"
    return (
        _q(f"{field_name}.gt", f"{what} after this {unit}", kind),
        _q(f"{field_name}.lt", f"{what} before this {unit}", kind),
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
        *_since_until("creation_time", "sent", "timestamp"),
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
