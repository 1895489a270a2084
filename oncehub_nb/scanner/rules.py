"""Key-shaped literals given to OnceHub in code, and the rules that dismiss placeholders.

OnceHub's API reference does not document the format of its keys, so the shape is our
own conservative choice: a *key-shaped* value is 20 to 128 characters of ``A-Z a-z 0-9
. _ -`` and nothing else (no spaces, quotes or other punctuation). A literal counts
only where code hands it to this package or to OnceHub (:data:`LITERAL_RULES`); each
candidate value is then tried against :data:`PLACEHOLDER_RULES`, in order, and the
first rule that matches names why it is not reported. A key the user has configured
(environment or ``.env``) never goes through these rules: it is reported wherever it
appears, however fake it looks.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Collection
from dataclasses import dataclass

from oncehub_nb.constants import API_KEY_VAR

from .lines import Lines

__all__ = [
    "KEY_SHAPE",
    "LITERAL_RULES",
    "NOT_KEY_SHAPED",
    "PLACEHOLDER_RULES",
    "TRIGGERS",
    "TRIGGER_BYTES",
    "Literal",
    "LiteralRule",
    "PlaceholderRule",
    "dismissal",
    "find_literals",
    "is_key_shaped",
]

KEY_SHAPE = re.compile(r"[A-Za-z0-9._\-]{20,128}")
NOT_KEY_SHAPED = "not-key-shaped"

# A quote, possibly JSON-escaped (a .json file, a notebook read as text), possibly
# after a Python string prefix (f"…", r"…").
_OPEN = r"""(?:\b[rRbBuUfF]{1,2})?\\?["']"""
_CLOSE = r"""\\?["']"""
_QUOTED = rf"""{_OPEN}(?P<value>[^"'\\\r\n]*){_CLOSE}"""
_BARE = r"""(?P<bare>[^\s"'\\,;#)}\]]+)"""

# Lower-case text that every match of every rule contains: lines without any are skipped.
TRIGGERS: tuple[str, ...] = (
    "%oncehub_",  # %oncehub_auth, %oncehub_test
    "hub(",  # OnceHub(
    "key(",  # ApiKey(, find_key(, require_key(, locate_key(
    "keyauth(",  # APIKeyAuth(
    "validate(",  # oh.validate(
    API_KEY_VAR.lower(),
    "api-key",
)
TRIGGER_BYTES = tuple(trigger.encode() for trigger in TRIGGERS)
_WINDOW = 4096  # characters around a trigger that a rule may look at


@dataclass(frozen=True)
class Literal:
    """A value some rule found being given to OnceHub, and where it starts in the text."""

    rule: str
    value: str
    start: int


@dataclass(frozen=True)
class LiteralRule:
    """Where code hands a literal key to this package or to OnceHub."""

    name: str
    description: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class PlaceholderRule:
    """Why a literal is not a key: a placeholder, a variable, a fake or a demo value."""

    name: str
    description: str
    applies: Callable[[str, Collection[str]], bool]


LITERAL_RULES: tuple[LiteralRule, ...] = (
    LiteralRule(
        "magic",
        "a key typed after %oncehub_auth or %oncehub_test",
        re.compile(r"%oncehub_(?:auth|test)\b(?P<args>[^\r\n]*)"),
    ),
    LiteralRule(
        "call",
        "a key given to OnceHub(…), ApiKey(…), APIKeyAuth(…) or oncehub_nb.validate/find_key(…)",
        re.compile(
            r"(?:\b(?:OnceHub|ApiKey|APIKeyAuth)|\b(?:oh|oncehub_nb)\."
            r"(?:validate|find_key|require_key|locate_key))\(\s*"
            rf"(?:(?:key|api_key|value)\s*=\s*)?{_QUOTED}"
        ),
    ),
    LiteralRule(
        "env-assignment",
        f"a key assigned to {API_KEY_VAR} (Python, shell, %env, YAML, TOML, os.environ)",
        re.compile(
            rf"(?<![A-Za-z0-9]){API_KEY_VAR}(?![A-Za-z0-9_])(?:{_CLOSE})?\s*\]?\s*"
            rf"(?:=(?!=)|:|,)\s*(?:{_QUOTED}|{_BARE})"
        ),
    ),
    LiteralRule(
        "api-key-header",
        "a literal value of the API-Key header (a headers dict, an HTTP request)",
        re.compile(
            r"(?<![\w-])(?i:api-key)(?:"
            rf"{_CLOSE}\s*:\s*{_QUOTED}"  # {"API-Key": "…"}
            rf"|\s*:\s*{_BARE})"  # "API-Key: …", API-Key: … (HTTP), API-Key:… (HTTPie)
        ),
    ),
)
# "curl" is the api-key-header rule inside a curl command (continuation lines included).
CURL = LiteralRule(
    "curl", "an API-Key header with a literal value in a curl command", re.compile(r"\bcurl\b")
)

_VALUE_OPTIONS = ("--env-file", "--var", "--base-url", "--save")
_TOKEN = re.compile(r"""\\?"[^"\r\n]*?\\?"|\\?'[^'\r\n]*?\\?'|[^\s"']+""")


def _magic_value(args: str, offset: int) -> Literal | None:
    """The key among a magic's arguments (its first positional one), if any."""
    skip_next = False
    for token in _TOKEN.finditer(args):
        text = token.group()
        if skip_next:
            skip_next = False
            continue
        if text.startswith("-"):
            skip_next = text in _VALUE_OPTIONS
            continue
        inner = text.strip("\\").strip("\"'").rstrip("\\")
        start = offset + token.start() + text.find(inner) if inner else offset + token.start()
        return Literal("magic", inner, start)
    return None


def _windows(text: str) -> list[tuple[int, int]]:
    """(start, end) of the lines holding a trigger (at most _WINDOW on either side of it)."""
    lower = text.lower()
    spans: list[tuple[int, int]] = []
    for trigger in TRIGGERS:
        at = lower.find(trigger)
        while at != -1:
            before = lower.rfind("\n", max(0, at - _WINDOW), at)
            after = lower.find("\n", at, at + _WINDOW)
            start = before + 1 if before != -1 else max(0, at - _WINDOW)
            end = after if after != -1 else min(len(text), at + _WINDOW)
            spans.append((start, end))
            at = lower.find(trigger, at + len(trigger))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


class _Curls:
    """Where ``curl`` is written in a text, to tell whether a position is in a curl command
    (following ``\\`` continuation lines up) in O(log n): no search from the line's start
    for each header, which made one long line of headers quadratic."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = Lines(text)
        self.at = [match.start() for match in CURL.pattern.finditer(text)]

    def _any_between(self, start: int, end: int) -> bool:
        index = bisect_left(self.at, start)
        return index < len(self.at) and self.at[index] < end

    def holds(self, at: int) -> bool:
        """Whether position ``at`` is in a curl command (at most 50 lines up)."""
        if not self.at:
            return False
        line = self.lines.number(at)
        end = at
        for _ in range(50):
            start = self.lines.start(line)
            if self._any_between(start, end):
                return True
            if line == 1:
                return False
            previous = self.text[self.lines.start(line - 1) : start - 1].rstrip("\r")
            if not previous.endswith("\\"):
                return False
            line -= 1
            end = start - 1
        return False


def find_literals(text: str) -> list[Literal]:
    """Every value that some rule sees given to OnceHub in ``text`` (code), in order.

    Values are returned as written: placeholders and non-key-shaped ones too (see
    :func:`dismissal`). Only lines containing one of :data:`TRIGGERS` are examined.
    """
    found: dict[tuple[str, int], Literal] = {}
    curls: _Curls | None = None
    for start, end in _windows(text):
        for rule in LITERAL_RULES:
            for match in rule.pattern.finditer(text, start, end):
                if rule.name == "magic":
                    literal = _magic_value(match.group("args"), match.start("args"))
                else:
                    group = "value" if match.group("value") is not None else "bare"
                    name = rule.name
                    if name == "api-key-header":
                        curls = curls or _Curls(text)
                        name = CURL.name if curls.holds(match.start()) else name
                    literal = Literal(name, match.group(group), match.start(group))
                if literal is not None:
                    found.setdefault((literal.rule, literal.start), literal)
    return sorted(found.values(), key=lambda literal: literal.start)


def is_key_shaped(value: str) -> bool:
    """20 to 128 characters of letters, digits, '.', '_' and '-' (see the module doc)."""
    return KEY_SHAPE.fullmatch(value) is not None


_FAKE_PREFIXES = (
    "fake",
    "dummy",
    "example",
    "test-",
    "test_",
    "sandbox-",
    "placeholder",
    "changeme",
    "change-me",
    "replace",
    "sample",
)
_FILLER = re.compile(r"(?i)x{4}|\*{3}")
# A word of a name: snake_case or UPPER_CASE (digits at its end), or camelCase. Random keys
# mix letters and digits within their parts, so they do not read as words.
_WORD = r"(?:[a-z]+[0-9]*|[A-Z]+[0-9]*|[A-Z]?[a-z]+(?:[A-Z][a-z0-9]+)*)"
_NAME = re.compile(rf"{_WORD}(?:[._]{_WORD})+")


def _filler(value: str) -> bool:
    core = value.replace("-", "").replace("_", "").replace(".", "")
    return len(set(core)) <= 1 or _FILLER.search(value) is not None


PLACEHOLDER_RULES: tuple[PlaceholderRule, ...] = (
    PlaceholderRule("empty", "empty or only spaces", lambda v, _: not v.strip()),
    PlaceholderRule(
        "variable",
        "holds $ or { }: a shell variable, an f-string or a template",
        lambda v, _: any(c in v for c in "${}"),
    ),
    PlaceholderRule(
        "angle-brackets",
        "written like <your key>",
        lambda v, _: v.startswith("<") or v.endswith(">"),
    ),
    PlaceholderRule(
        "your-key", "says 'your' (your_key, YOUR_API_KEY, …)", lambda v, _: "your" in v.lower()
    ),
    PlaceholderRule(
        "masked",
        "already masked, elided or redacted: holds … or ..., or starts with [ ([Filtered])",
        lambda v, _: "…" in v or "..." in v or v.startswith("["),
    ),
    PlaceholderRule(
        "filler",
        "filler: xxxx, ***, or one character repeated",
        lambda v, _: _filler(v),
    ),
    PlaceholderRule(
        "fake-prefix",
        "starts with fake, dummy, example, test-, sandbox- (the sandbox's demo keys), "
        "placeholder, changeme, replace or sample",
        lambda v, _: v.lower().startswith(_FAKE_PREFIXES),
    ),
    PlaceholderRule(
        "name",
        "a name, not a value: a variable or an attribute (DEFAULT_SANDBOX_API_KEY, "
        "settings.ONCEHUB_API_KEY_PROD), words joined by _ or .",
        lambda v, _: _NAME.fullmatch(v) is not None,
    ),
    PlaceholderRule(
        "env-example",
        f"the {API_KEY_VAR} value of a .env.example (or .sample, .template) file",
        lambda v, examples: v.strip() in examples,
    ),
)


def dismissal(value: str, examples: Collection[str] = ()) -> str | None:
    """The name of the rule that says ``value`` is not a key, or None for a key-shaped one.

    ``examples`` are the values of ``.env.example``-like files. The placeholder rules are
    tried in order; a value none of them matches must still be key-shaped
    (:data:`NOT_KEY_SHAPED` otherwise).
    """
    for rule in PLACEHOLDER_RULES:
        if rule.applies(value, examples):
            return rule.name
    return None if is_key_shaped(value) else NOT_KEY_SHAPED
