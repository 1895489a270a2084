"""Error bodies: OnceHub's JSON becomes the right error; anything else, what a person reads."""

from __future__ import annotations

import pytest

from oncehub_nb.errors import (
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    PaymentRequired,
    PermissionDenied,
    RateLimitError,
    ServerError,
    UnexpectedResponse,
)
from oncehub_nb.http.responses import api_error_from_response, readable_body

PROXY_PAGE = (
    "<html><head><title>502 Bad Gateway</title><style>h1{color:red}</style></head>"
    "<body><h1>502 Bad Gateway</h1><script>var x = '<b>';</script><hr>nginx</body></html>"
)


@pytest.mark.parametrize(
    ("body", "content_type", "readable"),
    [
        (PROXY_PAGE, "text/html", "502 Bad Gateway (HTML page)"),
        (PROXY_PAGE, "", "502 Bad Gateway (HTML page)"),  # recognised without a header
        ("<html><body><h1>Service &amp; more</h1> down</body></html>", "text/html",
         "Service & more down (HTML page)"),
        ("<!DOCTYPE html><html><head><title> </title></head></html>", "text/html",
         "an empty page (HTML page)"),
        ('{"error": "gateway"}', "application/json", '{"error": "gateway"}'),
        ("upstream   connect error\n\nor disconnect", "text/plain",
         "upstream connect error or disconnect"),
        ("", "text/html", ""),
        ("  \n ", "", ""),
    ],
)  # fmt: skip
def test_readable_body(body, content_type, readable):
    assert readable_body(body, content_type) == readable


def test_long_bodies_are_cut_with_an_ellipsis():
    text = readable_body("x" * 1000, "text/plain")
    assert len(text) == 200 and text.endswith("…")
    page = readable_body(f"<html><title>{'t' * 500}</title></html>", "text/html")
    assert page.endswith("… (HTML page)")


def test_bytes_that_are_not_utf8_are_still_readable():
    assert readable_body(b"caf\xe9 closed", "text/plain") == "caf\ufffd closed"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, InvalidRequestError),
        (401, AuthenticationError),
        (402, PaymentRequired),
        (403, PermissionDenied),
        (404, NotFoundError),
        (409, InvalidRequestError),
        (422, InvalidRequestError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
    ],
)
def test_oncehub_error_bodies_pick_the_class(status, cls):
    body = '{"type": "invalid_request_error", "message": "No such booking: \'1\'", "param": "id"}'
    error = api_error_from_response(status, {"Request-Id": "req_abc"}, body, retries=2)
    assert type(error) is cls
    assert (error.status_code, error.error_type, error.param) == (
        status,
        "invalid_request_error",
        "id",
    )
    assert error.request_id == "req_abc" and error.retries == 2
    assert error.message == "No such booking: '1'"


def test_a_proxy_page_is_an_unexpected_response_with_readable_text():
    error = api_error_from_response(502, {"Content-Type": "text/html"}, PROXY_PAGE)
    assert type(error) is UnexpectedResponse
    assert error.message == "HTTP 502 with a body that is not OnceHub's JSON."
    assert error.body_excerpt == "502 Bad Gateway (HTML page)"
    assert "proxy or gateway" in error.hint


def test_an_empty_body_says_so():
    error = api_error_from_response(503, {}, b"")
    assert error.message == "HTTP 503 with an empty body." and error.body_excerpt == ""


def test_each_class_has_its_own_title():
    titles = {cls.title for cls in (AuthenticationError, PermissionDenied, RateLimitError,
                                    ServerError, UnexpectedResponse, NotFoundError)}  # fmt: skip
    assert len(titles) == 6
