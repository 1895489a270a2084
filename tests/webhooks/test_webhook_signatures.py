"""verify() and sign() against signatures computed here with hmac and hashlib, and properties."""

from __future__ import annotations

import hashlib
import hmac
import json
import pickle
import string

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from oncehub_nb.errors import (
    ConfigError,
    MalformedSignatureHeader,
    OnceHubError,
    SignatureMismatch,
    TimestampOutsideTolerance,
    WebhookSignatureError,
)
from oncehub_nb.webhooks import (
    SIGNATURE_HEADER,
    SignatureHeader,
    SigningSecret,
    parse_header,
    sign,
    signatures,
    verify,
)

SECRET = "whsec-canary-5b1e9d0c7a3f-do-not-leak"
OTHER = "whsec-other-0a1b2c3d4e5f6a7b8c9d"
T = 1_767_225_600


def booking_event(subject: str = "Live demo") -> dict:
    """A ``booking.scheduled`` event shaped like the reference's WebhookEvent + booking."""
    return {
        "id": "EVNT-KN56U3YL7C",
        "object": "event",
        "creation_time": "2020-03-22T09:49:12Z",
        "type": "booking.scheduled",
        "api_version": "v2",
        "data": {
            "object": "booking",
            "id": "BKNG-J4FR05BKEWEX",
            "tracking_id": "D36E0002",
            "subject": subject,
            "status": "scheduled",
            "in_trash": False,
            "creation_time": "2020-03-22T09:48:48Z",
            "starting_time": "2020-03-22T04:30:00Z",
            "customer_timezone": "America/New_York",
            "duration_minutes": 60,
            "owner": "USR-FSD423423",
            "conversation": None,
            "cancel_reschedule_url": "https://oncehub.com/m/BKNG-3KM0HY2BF9SL",
        },
    }


BODY = json.dumps(booking_event(), indent=2).encode()


def hmac_hex(secret: str, timestamp: int | str, body: bytes) -> str:
    """The signature as OnceHub's page defines it, computed independently of the package."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def header(timestamp: int | str, *sigs: str) -> str:
    return ",".join([f"t={timestamp}", *(f"s={sig}" for sig in sigs)])


def everything_said(error: Exception) -> str:
    parts = [str(error), repr(error), *error.args]
    if isinstance(error, OnceHubError):
        parts += [error.message, error.hint, *error._render_traceback_()]
    return "\n".join(parts)


# -- vectors ---------------------------------------------------------------------------------

# printf '%s' '1700000000.{"id":"EVNT-KN56U3YL7C","type":"booking.scheduled"}' |
#   openssl dgst -sha256 -hmac 'whsec-test-0123456789abcdef'
OPENSSL_BODY = b'{"id":"EVNT-KN56U3YL7C","type":"booking.scheduled"}'
OPENSSL_SIG = "835380c1195a50eec047049f11a9193f2c5061698977c46eb70c10c20faa2210"


def test_a_vector_computed_by_openssl():
    secret = "whsec-test-0123456789abcdef"
    value = f"t=1700000000,s={OPENSSL_SIG}"
    assert hmac_hex(secret, 1700000000, OPENSSL_BODY) == OPENSSL_SIG
    assert sign(OPENSSL_BODY, secret, timestamp=1700000000) == value
    event = verify(OPENSSL_BODY, value, secret, now=1700000000)
    assert event == {"id": "EVNT-KN56U3YL7C", "type": "booking.scheduled"}


def test_verify_returns_the_event_for_an_independent_signature():
    value = header(T, hmac_hex(SECRET, T, BODY))
    event = verify(BODY, value, SECRET, now=T + 12)
    assert event == booking_event()
    assert event["data"]["subject"] == "Live demo"


def test_sign_matches_the_independent_computation():
    assert sign(BODY, SECRET, timestamp=T) == f"t={T},s={hmac_hex(SECRET, T, BODY)}"
    assert sign(BODY, SigningSecret(SECRET), timestamp=T + 0.9) == header(
        T, hmac_hex(SECRET, T, BODY)
    )
    assert SIGNATURE_HEADER == "Oncehub-Signature"


def test_sign_without_a_timestamp_uses_the_current_time():
    parsed = parse_header(sign(BODY, SECRET))
    verify(BODY, sign(BODY, SECRET), SECRET)  # default now and tolerance
    assert parsed.signatures == (hmac_hex(SECRET, parsed.timestamp, BODY),)


def test_upper_case_hex_spaces_and_unknown_parts_are_accepted():
    sig = hmac_hex(SECRET, T, BODY).upper()
    assert verify(BODY, f" t={T} , v0=whatever, s={sig} ,", SECRET, now=T)["type"]
    assert parse_header(f"t={T},s={sig}".encode()) == SignatureHeader(str(T), (sig.lower(),))


def test_the_timestamp_is_signed_as_sent():
    """``t=0001767225600`` is signed as those characters, not as the number."""
    padded = f"000{T}"
    assert verify(BODY, header(padded, hmac_hex(SECRET, padded, BODY)), SECRET, now=T)
    with pytest.raises(SignatureMismatch):
        verify(BODY, header(padded, hmac_hex(SECRET, T, BODY)), SECRET, now=T)


# -- rotation: several s=, several secrets ------------------------------------------------


def test_several_signatures_and_secrets():
    both = header(T, hmac_hex(OTHER, T, BODY), hmac_hex(SECRET, T, BODY))
    assert sign(BODY, [OTHER, SECRET], timestamp=T) == both
    for secret in (SECRET, OTHER, [SECRET, OTHER], (SigningSecret(OTHER),)):
        assert verify(BODY, both, secret, now=T)["id"] == "EVNT-KN56U3YL7C"
    only_new = header(T, hmac_hex(SECRET, T, BODY))
    assert verify(BODY, only_new, ["whsec-unrelated-000000000000", SECRET], now=T)
    with pytest.raises(SignatureMismatch, match="any of the 2 signing secrets"):
        verify(BODY, only_new, [OTHER, "whsec-unrelated-000000000000"], now=T)
    with pytest.raises(SignatureMismatch, match="None of the 2 signatures"):
        verify(BODY, both, "whsec-unrelated-000000000000", now=T)


def test_every_comparison_is_constant_time(monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(signatures.hmac, "compare_digest", spy)
    both = header(T, hmac_hex(SECRET, T, BODY), hmac_hex(OTHER, T, BODY))
    verify(BODY, both, [SECRET, OTHER], now=T)
    assert len(calls) == 4  # 2 secrets x 2 signatures, even though the first matched
    assert all(isinstance(a, str) and len(a) == 64 for a, _ in calls)


def test_no_secret_is_a_config_error():
    with pytest.raises(ConfigError):
        verify(BODY, header(T, hmac_hex(SECRET, T, BODY)), [], now=T)
    with pytest.raises(ConfigError):
        verify(BODY, header(T, hmac_hex(SECRET, T, BODY)), "  ", now=T)


# -- the raw body --------------------------------------------------------------------------


def test_re_serialised_json_does_not_match():
    value = header(T, hmac_hex(SECRET, T, BODY))
    again = json.dumps(json.loads(BODY)).encode()  # same data, other whitespace
    assert json.loads(again) == json.loads(BODY)
    with pytest.raises(SignatureMismatch):
        verify(again, value, SECRET, now=T)
    assert verify(bytearray(BODY), value, SECRET, now=T) == booking_event()
    assert verify(memoryview(BODY), value, SECRET, now=T) == booking_event()


@pytest.mark.parametrize("body", [BODY.decode(), booking_event()])
def test_decoded_or_parsed_bodies_are_refused(body):
    with pytest.raises(TypeError, match="raw bytes"):
        verify(body, header(T, hmac_hex(SECRET, T, BODY)), SECRET, now=T)


@pytest.mark.parametrize("body", [b"not json", b"[" * 100_000 + b"]" * 100_000])
def test_a_genuine_body_that_is_not_json_is_a_value_error(body):
    """Not JSON, or JSON nested 100,000 deep: the documented ValueError, no RecursionError."""
    with pytest.raises(ValueError) as caught:
        verify(body, header(T, hmac_hex(SECRET, T, body)), SECRET, now=T)
    assert not isinstance(caught.value, WebhookSignatureError)


# -- tolerance -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "problem"),
    [(0, None), (300, None), (-300, None), (301, "301 s old"), (-301, "301 s in the future")],
)
def test_tolerance_both_ways(offset, problem):
    value = header(T, hmac_hex(SECRET, T, BODY))
    if problem is None:
        assert verify(BODY, value, SECRET, now=T + offset)
    else:
        with pytest.raises(TimestampOutsideTolerance, match=problem):
            verify(BODY, value, SECRET, now=T + offset)


def test_tolerance_can_be_chosen_or_switched_off():
    value = header(T, hmac_hex(SECRET, T, BODY))
    with pytest.raises(TimestampOutsideTolerance, match="tolerance is 5 s"):
        verify(BODY, value, SECRET, now=T + 6, tolerance=5)
    assert verify(BODY, value, SECRET, now=T + 10**9, tolerance=None)
    with pytest.raises(ConfigError):
        verify(BODY, value, SECRET, now=T, tolerance=-1)


def test_a_forged_old_delivery_is_a_mismatch_not_a_timing_problem():
    """The signature is checked first: an outsider learns nothing about the clock."""
    forged = header(T, hmac_hex(OTHER, T, BODY))
    with pytest.raises(SignatureMismatch):
        verify(BODY, forged, SECRET, now=T + 10_000)


# -- malformed headers -------------------------------------------------------------------

GOOD = hmac_hex(SECRET, T, BODY)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (None, "no Oncehub-Signature"),
        ("", "is empty"),
        ("   ", "is empty"),
        (f"s={GOOD}", "no t="),
        (f"t={T}", "no s="),
        (f"t={T},s=", "not 64 hexadecimal"),
        (f"t={T},s={GOOD[:-1]}", "not 64 hexadecimal"),
        (f"t={T},s={GOOD}0", "not 64 hexadecimal"),
        (f"t={T},s={'g' * 64}", "not 64 hexadecimal"),
        (f"t=abc,s={GOOD}", "whole number"),
        (f"t=-5,s={GOOD}", "whole number"),
        (f"t=1.5,s={GOOD}", "whole number"),
        (f"t=١٢٣,s={GOOD}", "whole number"),
        (f"t={'9' * 16},s={GOOD}", "whole number"),
        (f"t={T},t={T},s={GOOD}", "more than one t="),
        (f"t={T};s={GOOD}", "whole number"),
        (f"t={T},{GOOD}", "not key=value"),
        (f"t={T}," + f"s={GOOD}," * 70, "longer than"),
    ],
)
def test_malformed_headers(value, problem):
    with pytest.raises(MalformedSignatureHeader, match=problem):
        verify(BODY, value, SECRET, now=T)
    with pytest.raises(MalformedSignatureHeader):
        parse_header(value)


def test_the_errors_are_the_documented_tree():
    for cls in (MalformedSignatureHeader, TimestampOutsideTolerance, SignatureMismatch):
        assert issubclass(cls, WebhookSignatureError)
        assert issubclass(cls, ValueError)
        assert issubclass(cls, OnceHubError)


# -- the secret is never shown -----------------------------------------------------------


def test_signing_secret_masks_itself():
    secret = SigningSecret(f"  {SECRET}\n")
    shown = [repr(secret), str(secret), f"{secret}", f"{secret!r:>60}", "{}".format(secret)]  # noqa: UP032
    assert repr(secret) == "SigningSecret('…leak')"
    assert all(SECRET not in text for text in shown)
    assert secret.reveal() == SECRET
    assert secret == SigningSecret(SECRET) and secret != SigningSecret(OTHER)
    assert len({secret, SigningSecret(SECRET)}) == 1
    assert repr(SigningSecret("short")) == "SigningSecret('…')"
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(secret)
    with pytest.raises(TypeError, match="no state to give"):
        secret.__getstate__()
    with pytest.raises(TypeError):
        SigningSecret(b"bytes")  # type: ignore[arg-type]


def test_no_error_message_holds_the_secret():
    good = hmac_hex(SECRET, T, BODY)
    cases = [
        (BODY + b" ", header(T, good), T),
        (BODY, header(T, good), T + 999),
        (BODY, header(T, good), T - 999),
        (BODY, SECRET, T),  # the secret pasted as the header
        (BODY, f"t={T},s={SECRET}", T),
        (BODY, f"t={SECRET},s={good}", T),
        (BODY, None, T),
    ]
    for body, value, now in cases:
        with pytest.raises(WebhookSignatureError) as caught:
            verify(body, value, [SECRET, SigningSecret(OTHER)], now=now)
        said = everything_said(caught.value)
        assert SECRET not in said and OTHER not in said, said


# -- properties ----------------------------------------------------------------------------

secrets_st = st.text(string.ascii_letters + string.digits + "-_", min_size=16, max_size=64)
stamps = st.integers(min_value=0, max_value=10**12)


def _mismatch_text() -> str:
    """Everything a mismatch says, for secrets that cannot be mistaken for its words."""
    try:
        verify(BODY, sign(BODY, "#" * 16, timestamp=T), "%" * 16, now=T)
    except SignatureMismatch as error:
        return everything_said(error)
    raise AssertionError("no mismatch")


@given(body=st.binary(max_size=2000), secret=secrets_st, stamp=stamps)
def test_whatever_is_signed_verifies(body, secret, stamp):
    value = sign(body, secret, timestamp=stamp)
    assert value == header(stamp, hmac_hex(secret, stamp, body))
    parsed, matched = signatures.verified_signature(body, value, secret, now=stamp)
    assert parsed.seconds == stamp and matched == hmac_hex(secret, stamp, body)


@given(body=st.binary(max_size=500), other=st.binary(max_size=500), secret=secrets_st)
@example(body=b'{"a":1}', other=b'{"a":1} ', secret="x" * 16)
@example(body=b"", other=b"\x00", secret="x" * 16)
def test_any_change_to_the_body_fails(body, other, secret):
    if body == other:
        other = body + b"\n"
    assume(secret not in _mismatch_text())  # not a word of the message by chance
    value = sign(body, secret, timestamp=T)
    with pytest.raises(SignatureMismatch) as caught:
        signatures.verified_signature(other, value, secret, now=T)
    assert secret not in everything_said(caught.value)


@given(stamp=stamps, other=stamps, secret=secrets_st)
def test_any_change_to_the_timestamp_fails(stamp, other, secret):
    if stamp == other:
        other += 1
    sig = hmac_hex(secret, stamp, BODY)
    with pytest.raises(SignatureMismatch):
        verify(BODY, header(other, sig), secret, tolerance=None)


@given(secret=secrets_st, other=secrets_st)
def test_any_change_to_the_secret_fails(secret, other):
    if secret == other:
        other = other + "x"
    # a generated "secret" may happen to be a word of the message ("SignatureMismatc")
    assume(secret not in _mismatch_text() and other not in _mismatch_text())
    value = sign(BODY, secret, timestamp=T)
    with pytest.raises(SignatureMismatch) as caught:
        verify(BODY, value, other, now=T)
    said = everything_said(caught.value)
    assert secret not in said and other not in said


@given(position=st.integers(min_value=0, max_value=63), secret=secrets_st)
def test_any_change_to_the_signature_fails(position, secret):
    sig = hmac_hex(secret, T, BODY)
    flipped = sig[:position] + ("0" if sig[position] != "0" else "1") + sig[position + 1 :]
    with pytest.raises(SignatureMismatch):
        verify(BODY, header(T, flipped), secret, now=T)


header_parts = st.one_of(
    st.sampled_from(["t", "s", "v1", "T", " t", "s ", "", "="]),
    st.text(max_size=5),
)
header_values = st.one_of(
    st.integers(min_value=-10, max_value=10**16).map(str),
    st.text("0123456789abcdefABCDEFxyz", max_size=70),
    st.just(GOOD),
    st.text(max_size=10),
)
structured = st.lists(
    st.tuples(header_parts, st.sampled_from(["=", "", "=="]), header_values), max_size=6
).map(lambda parts: ",".join(f"{k}{sep}{v}" for k, sep, v in parts))


@given(value=st.one_of(st.text(max_size=300), structured, st.binary(max_size=300)))
def test_header_parsing_raises_only_the_documented_error(value):
    try:
        parsed = parse_header(value)
    except MalformedSignatureHeader as error:
        assert error.message.startswith("The ")
    else:
        assert parsed.timestamp.isdigit() and parsed.signatures
        assert all(len(sig) == 64 for sig in parsed.signatures)
    try:
        verify(BODY, value, SECRET, now=T)
    except WebhookSignatureError as error:
        assert SECRET not in everything_said(error)
    else:  # only the genuine signature can pass
        assert GOOD in value if isinstance(value, str) else GOOD.encode() in value
