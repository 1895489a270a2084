"""Checking and making ``Oncehub-Signature`` headers (standard library only).

OnceHub signs each delivery with the subscription's ``secret``::

    Oncehub-Signature: t=<unix seconds>,s=<hex HMAC-SHA256 of "<t>." + raw body>

:func:`verify` checks a delivery: the header's form, then every ``s=`` value against
every secret given (several of either: secret rotation), compared in constant time,
then the timestamp against a tolerance. It works on the body's bytes exactly as
received; JSON parsed and serialised again would not match. :func:`sign` makes a
header, for tests and the sandbox. No message, ``str`` or ``repr`` holds a secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections.abc import Iterable
from typing import Any, NamedTuple, NoReturn

from oncehub_nb.errors import (
    ConfigError,
    MalformedSignatureHeader,
    SignatureMismatch,
    TimestampOutsideTolerance,
)

__all__ = [
    "DEFAULT_TOLERANCE",
    "SIGNATURE_HEADER",
    "SignatureHeader",
    "SigningSecret",
    "parse_header",
    "sign",
    "verify",
]

SIGNATURE_HEADER = "Oncehub-Signature"
DEFAULT_TOLERANCE = 300  # seconds; OnceHub names no value
MAX_HEADER = 4096  # characters of a header value worth reading
_TIMESTAMP = re.compile(r"[0-9]{1,15}\Z")
_HEX64 = re.compile(r"[0-9a-fA-F]{64}\Z")


class SigningSecret:
    """A subscription's signing secret that masks itself: ``SigningSecret('…abcd')``.

    The value comes out only through :meth:`reveal`; surrounding whitespace is dropped.
    It cannot be pickled (that would store it in clear).
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"A signing secret is text, not {type(value).__name__}.")
        stripped = value.strip()
        if not stripped:
            raise ConfigError(
                "The webhook signing secret is empty.",
                hint="Use the subscription's `secret` (in OnceHub's answer to POST /webhooks).",
            )
        self._value = stripped

    def reveal(self) -> str:
        """The secret in clear, e.g. to compute a signature."""
        return self._value

    @property
    def masked(self) -> str:
        """The last four characters behind an ellipsis (just '…' for short secrets)."""
        return "…" + self._value[-4:] if len(self._value) >= 12 else "…"

    def __repr__(self) -> str:
        return f"SigningSecret('{self.masked}')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return format(repr(self), spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SigningSecret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(("SigningSecret", self._value))

    def __reduce__(self) -> NoReturn:
        raise TypeError("SigningSecret cannot be pickled: that would store it in clear.")

    def __getstate__(self) -> NoReturn:
        raise TypeError("SigningSecret has no state to give: that would hand it out in clear.")


SecretLike = str | SigningSecret


def as_secret(value: SecretLike) -> SigningSecret:
    """``value`` as a :class:`SigningSecret` (given one, the same object)."""
    return value if isinstance(value, SigningSecret) else SigningSecret(value)


def as_secrets(value: SecretLike | Iterable[SecretLike]) -> tuple[SigningSecret, ...]:
    """One secret or several, as a tuple of :class:`SigningSecret` (at least one)."""
    if isinstance(value, (str, SigningSecret)):
        return (as_secret(value),)
    found = tuple(as_secret(item) for item in value)
    if not found:
        raise ConfigError("No webhook signing secret was given.")
    return found


class SignatureHeader(NamedTuple):
    """A parsed ``Oncehub-Signature``: ``t=`` as sent, and its ``s=`` values (lower case)."""

    timestamp: str
    signatures: tuple[str, ...]

    @property
    def seconds(self) -> int:
        """The timestamp as a number of seconds since the epoch."""
        return int(self.timestamp)


def _malformed(problem: str) -> NoReturn:
    raise MalformedSignatureHeader(f"The {SIGNATURE_HEADER} header {problem}.")


def parse_header(header: str | bytes | None) -> SignatureHeader:
    """``t=<unix seconds>,s=<hex>[,s=<hex>…]`` parsed; MalformedSignatureHeader otherwise.

    Other ``key=value`` parts are ignored. Nothing of the header is quoted in a message.
    """
    if header is None:
        raise MalformedSignatureHeader(f"The delivery has no {SIGNATURE_HEADER} header.")
    if isinstance(header, (bytes, bytearray)):
        header = bytes(header).decode("latin-1")
    if not isinstance(header, str):
        raise TypeError(f"A header value is text, not {type(header).__name__}.")
    if len(header) > MAX_HEADER:
        _malformed(f"is longer than {MAX_HEADER} characters")
    stamps: list[str] = []
    signatures: list[str] = []
    for part in header.split(","):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep:
            _malformed("has a part that is not key=value")
        key, value = key.strip(), value.strip()
        if key == "t":
            stamps.append(value)
        elif key == "s":
            if not _HEX64.match(value):
                _malformed("has an s= value that is not 64 hexadecimal digits")
            signatures.append(value.lower())
    if not stamps:
        _malformed("has no t= timestamp" if header.strip() else "is empty")
    if len(stamps) > 1:
        _malformed("has more than one t= timestamp")
    if not _TIMESTAMP.match(stamps[0]):
        _malformed("has a t= timestamp that is not a whole number of seconds")
    if not signatures:
        _malformed("has no s= signature")
    return SignatureHeader(stamps[0], tuple(signatures))


def _raw(body: Any) -> bytes:
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    raise TypeError(
        f"Pass the request body as the raw bytes received, not {type(body).__name__}: "
        "decoded or re-serialised JSON does not match the signature."
    )


def _digest(secret: SigningSecret, timestamp: str, body: bytes) -> str:
    message = timestamp.encode("ascii") + b"." + body
    return hmac.new(secret.reveal().encode("utf-8"), message, hashlib.sha256).hexdigest()


def _check_tolerance(seconds: int, tolerance: float | None, now: float | None) -> None:
    if tolerance is None:
        return
    if tolerance < 0:
        raise ConfigError(f"The tolerance is a number of seconds, 0 or more, not {tolerance!r}.")
    current = time.time() if now is None else now
    age = current - seconds
    if age > tolerance:
        raise TimestampOutsideTolerance(
            f"The signature's timestamp is {age:.0f} s old; the tolerance is {tolerance:g} s."
        )
    if -age > tolerance:
        raise TimestampOutsideTolerance(
            f"The signature's timestamp is {-age:.0f} s in the future; "
            f"the tolerance is {tolerance:g} s."
        )


def verified_signature(
    body: bytes,
    header: str | bytes | None,
    secret: SecretLike | Iterable[SecretLike],
    *,
    tolerance: float | None = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> tuple[SignatureHeader, str]:
    """The parsed header and the expected signature that matched; an error otherwise."""
    raw = _raw(body)
    secrets = as_secrets(secret)
    parsed = parse_header(header)
    matched = ""
    for candidate in secrets:  # every comparison runs: no early exit to time
        expected = _digest(candidate, parsed.timestamp, raw)
        for given in parsed.signatures:
            if hmac.compare_digest(expected, given) and not matched:
                matched = expected
    if not matched:
        count, keys = len(parsed.signatures), len(secrets)
        which = "The signature does" if count == 1 else f"None of the {count} signatures does"
        key = "the signing secret" if keys == 1 else f"any of the {keys} signing secrets"
        raise SignatureMismatch(f"{which} not match the body with {key}.")
    _check_tolerance(parsed.seconds, tolerance, now)
    return parsed, matched


def verify(
    body: bytes,
    header: str | bytes | None,
    secret: SecretLike | Iterable[SecretLike],
    *,
    tolerance: float | None = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> Any:
    """The event (the body's JSON) when ``header`` proves it came from OnceHub.

    ``body``: the raw bytes as received. ``secret``: the subscription's secret, or several
    (rotation). ``tolerance``: seconds the timestamp may differ from ``now`` (default: the
    current time) either way; None skips the check. Raises MalformedSignatureHeader,
    SignatureMismatch or TimestampOutsideTolerance (all WebhookSignatureError), and
    ValueError when a genuine body is not JSON.
    """
    verified_signature(body, header, secret, tolerance=tolerance, now=now)
    try:
        return json.loads(_raw(body))
    except RecursionError:  # JSON nested thousands deep: not JSON this can read
        raise ValueError("The body is JSON nested too deeply to read.") from None


def sign(
    body: bytes, secret: SecretLike | Iterable[SecretLike], *, timestamp: int | None = None
) -> str:
    """An ``Oncehub-Signature`` value for ``body``: one ``s=`` per secret given."""
    raw = _raw(body)
    stamp = str(int(time.time() if timestamp is None else timestamp))
    if stamp.startswith("-"):
        raise ValueError("A signature's timestamp cannot be before 1970.")
    parts = [f"s={_digest(item, stamp, raw)}" for item in as_secrets(secret)]
    return ",".join([f"t={stamp}", *parts])
