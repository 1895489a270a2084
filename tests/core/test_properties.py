"""Property tests: any input gives a value or the documented exception, nothing else."""

from __future__ import annotations

import json

from hypothesis import example, given
from hypothesis import strategies as st

from oncehub_nb.errors import APIError, InvalidKeyInput, UnexpectedResponse
from oncehub_nb.http.responses import ErrorBody, api_error_from_response, parse_error_body
from oncehub_nb.keys import MAX_KEY_LENGTH, ApiKey, check_key_text

FRAME = "ApiKey('…"  # how repr() and str() of a key begin; the last four may follow
printable_ascii = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=80
)


@given(st.text(max_size=400))
@example("ApiKey")  # spells the start of its own repr: not a leak
def test_any_text_is_a_key_or_invalid_key_input(text):
    problem = check_key_text(text)
    try:
        key = ApiKey(text)
    except InvalidKeyInput as error:
        assert problem is not None
        stripped = text.strip()
        if len(stripped) >= 16:
            assert stripped not in str(error)
            assert stripped not in repr(error)
        return
    assert problem is None
    value = key.reveal()
    assert value == text.strip()
    assert 0 < len(value) <= MAX_KEY_LENGTH
    assert value.isascii() and value.isprintable() and " " not in value
    if len(value) >= 6:
        for shown in (repr(key), str(key)):
            # past the frame, which may spell a short key by chance ("ApiKey", "Key('")
            assert value not in shown.removeprefix(FRAME), shown


@given(printable_ascii)
def test_printable_ascii_keys_are_accepted_and_masked(text):
    key = ApiKey(text)
    assert key.reveal() == text
    shown = text[-4:] if len(text) >= 12 else ""  # the last four, and only for long keys
    assert repr(key) == str(key) == f"{FRAME}{shown}')"


def is_json_object(body: str | bytes) -> bool:
    """Whether ``body`` parses as JSON into an object (a dict)."""
    try:
        return isinstance(json.loads(body), dict)
    except (ValueError, RecursionError):
        return False


@given(
    st.one_of(st.text(max_size=300), st.binary(max_size=300)).filter(
        lambda b: not is_json_object(b)
    )
)
@example("[" * 100_000)  # nested too deep for the JSON parser
@example(b"\xff\xfe{")  # not decodable
def test_error_body_parser_gives_none_for_anything_but_a_json_object(body):
    assert parse_error_body(body) is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@given(json_values.filter(lambda value: not isinstance(value, dict)))
def test_error_body_parser_gives_none_for_other_json_values(value):
    assert parse_error_body(json.dumps(value)) is None


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "type": json_values,
            "message": json_values,
            "param": json_values,
        },
    )
)
def test_error_body_parser_on_json_objects(data):
    parsed = parse_error_body(json.dumps(data))
    shaped = isinstance(data.get("type"), str) and isinstance(data.get("message"), str)
    if shaped:
        assert parsed == ErrorBody(
            data["type"],
            data["message"],
            None if data.get("param") is None else str(data["param"]),
        )
    else:
        assert parsed is None


error_bodies = st.builds(
    lambda error_type, message, param: json.dumps(
        {"type": error_type, "message": message, **({} if param is None else {"param": param})}
    ),
    st.text(max_size=20),
    st.text(max_size=60),
    st.none() | st.text(max_size=10),
)


@given(
    status=st.integers(min_value=400, max_value=599),
    body=st.one_of(st.text(max_size=200), st.binary(max_size=200), error_bodies),
    request_id=st.one_of(st.none(), st.from_regex(r"req_[0-9a-f]{16}", fullmatch=True)),
)
def test_any_error_response_becomes_an_api_error(status, body, request_id):
    headers = {"Request-Id": request_id} if request_id else {}
    error = api_error_from_response(status, headers, body)
    assert isinstance(error, APIError)
    assert error.status_code == status
    assert error.request_id == request_id
    assert error.hint
    assert str(status) in str(error)
    parsed = parse_error_body(body)
    if parsed is None:
        assert isinstance(error, UnexpectedResponse)
        assert error.error_type is None
    else:  # OnceHub's own words are kept
        assert not isinstance(error, UnexpectedResponse)
        assert (error.error_type, error.message, error.param) == (
            parsed.type,
            parsed.message,
            parsed.param,
        )
