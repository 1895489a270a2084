"""What ``%oncehub`` and ``%%oncehub`` do once the line is read: check the call against the
endpoint catalog, send it with the session's client, page with a progress line, and
return the result (or the error, as a card) for IPython to show. Nothing is sent for a call the
catalog refuses, for ``--dry-run``, ``--curl`` and ``--python``; these show the request
even when the catalog refuses it, and say why. ``--history`` lists the session's requests
and ``--replay N`` sends one again."""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from oncehub_nb.constants import MAX_PAGE_SIZE
from oncehub_nb.display.fit import terminal_width, wrap
from oncehub_nb.errors import APIError, NoSessionKey, OnceHubError, RequestProblem, TransportError
from oncehub_nb.explore.call import ApiCall, Command, expand_path, parse_command, would_refuse
from oncehub_nb.explore.result import ErrorResult
from oncehub_nb.ipython.advice import for_notebooks
from oncehub_nb.ipython.unseen import say_if_unseen
from oncehub_nb.ipython.usage import NOT_SIGNED_IN, OnceHubUsageError

if TYPE_CHECKING:
    from oncehub_nb.http.api_client import OnceHub
    from oncehub_nb.ipython.context import MagicContext

__all__ = ["run"]


def run(ctx: MagicContext, line: str, cell: str | None = None) -> Any:
    """Run one ``%oncehub`` line (and cell); return what the user may keep."""
    try:
        result = _run(ctx, line, cell)
    except RequestProblem as problem:
        raise OnceHubUsageError(f"Not sent: {problem}") from None
    except NoSessionKey:
        raise OnceHubUsageError(NOT_SIGNED_IN) from None
    except OnceHubError as error:  # a setting or the key: one line, nothing shown twice
        raise OnceHubUsageError(str(error)) from None
    return result


def _run(ctx: MagicContext, line: str, cell: str | None) -> Any:
    from oncehub_nb.explore import checks
    from oncehub_nb.explore.views import endpoints_table

    command = parse_command(line)
    if command.endpoints:
        return endpoints_table()
    if command.history:
        return _history(ctx, command)
    if command.replay is not None:
        return _replay(ctx, command, command.replay)
    namespace = ctx.namespace
    path = checks.normalize_path(expand_path(command.path, namespace))
    endpoint, _ = checks.find(command.method, path)
    call = ApiCall.build(command, path, namespace, cell)
    if command.fetches_many and not endpoint.returns_list:
        raise RequestProblem(
            f"--all and --max-items page through lists; {call.method} {endpoint.path} is not one.",
            hint="Drop --all/--max-items for a single object.",
        )
    refusal = checks.refusal(endpoint, call.query, call.body)
    if refusal is None:
        for note in checks.date_notes(endpoint, call.query):
            print("\n".join(wrap(note, terminal_width())), file=sys.stderr)
    if command.dry_run or command.curl or command.python:
        return _show_call(ctx, command, call, refusal)
    if refusal is not None:
        raise refusal
    return _send(ctx, command, call, endpoint.returns_list, line)


def _send(ctx: MagicContext, command: Command, call: ApiCall, returns_list: bool, line: str) -> Any:
    """Send the call with the session's client; the result, with its request and header."""
    client = ctx.session.client()
    call.base_url = client.base_url
    if returns_list and call.method == "GET":
        result = _list(ctx, client, command, call, line)
        if command.fetches_many and "limit" not in call.query:  # its first page, as sent
            size = min(MAX_PAGE_SIZE, command.max_items or MAX_PAGE_SIZE)
            call = replace(call, query={**call.query, "limit": size})
    else:
        result = _one(ctx, client, call)
    result.request, result.header = call, ctx.session.header()
    return _deliver(ctx, command, result)


def _history(ctx: MagicContext, command: Command) -> Any:
    """``%oncehub --history``: the session's requests, numbered."""
    from oncehub_nb.explore.history import HistoryView

    view = HistoryView(list(ctx.session.history), header=ctx.session.header())
    if command.output:
        ctx.keep(command.output, view)
    return view


def _replay(ctx: MagicContext, command: Command, number: int) -> Any:
    """``%oncehub --replay N``: send request N of the history again, as it was sent."""
    from oncehub_nb.explore import checks

    record = ctx.session.history.get(number)
    if record is None:
        raise RequestProblem(
            f"No request #{number} in this session's history.",
            hint="%oncehub --history lists the requests kept.",
        )
    if record.hid_secret:
        raise RequestProblem(
            f"Request #{number} had a secret in its body, which the history does not keep.",
            hint="Send it again with %oncehub or %%oncehub, the secret written in.",
        )
    endpoint, _ = checks.find(record.method, record.path)
    body = record.body if isinstance(record.body, dict) else None
    call = ApiCall(record.method, record.path, dict(record.params), body, record.base_url)
    print(f"Replaying #{number}: {record.method} {call.url}", file=sys.stderr)
    again = Command(method=record.method, path=record.path, output=command.output)
    return _send(ctx, again, call, endpoint.returns_list, f"{record.method} {record.path}")


def _show_call(
    ctx: MagicContext, command: Command, call: ApiCall, refusal: RequestProblem | None
) -> None:
    """Print the call (and/or its curl or Python form) and what OnceHub would refuse in
    it; keep the call only when -o asks."""
    call.base_url = ctx.session.base_url or _default_base_url()
    var = ctx.settings.var
    if command.dry_run or command.curl:
        print(call.preview(dry_run=command.dry_run, curl=command.curl, var=var, refusal=refusal))
    if command.python:
        print(call.python(var))
        if refusal is not None and not (command.dry_run or command.curl):
            print(f"# {would_refuse(refusal)}")
    if command.output:
        ctx.keep(command.output, call)


def _default_base_url() -> str:
    from oncehub_nb.urls import resolve_base_url

    return resolve_base_url(None, None)


def _list(ctx: MagicContext, client: OnceHub, command: Command, call: ApiCall, line: str) -> Any:
    from oncehub_nb.explore.result import ListResult
    from oncehub_nb.http.paging import Listing
    from oncehub_nb.ipython.progress import progress_for

    if command.fetches_many:
        listing = Listing.of_many(client, call.path, call.query)
    else:
        listing = Listing(client, call.path, call.query)  # one page, as OnceHub pages it
    label = f"{call.method} {call.path}"

    def progress() -> Any:
        return None if command.quiet else progress_for(ctx.shell, label)

    result = ListResult(
        listing,
        displaylimit=ctx.settings.displaylimit,
        command=_again_for_all(line),
        progress=progress,
    )
    if command.fetch_all:
        most = None
    elif command.max_items is not None:
        most = command.max_items
    else:
        most = listing.next_page_size  # one page, as OnceHub pages it
    hook = progress() if command.fetches_many else None
    try:
        listing.fetch(most, hook)
    except KeyboardInterrupt:
        result.interrupted = True
        print(
            f"Interrupted: kept {len(listing.objects):,} objects; .more(to_end=True) resumes.",
            file=sys.stderr,
        )
    except (APIError, TransportError) as error:
        if not listing.objects:
            return ErrorResult.of(client, error, call.method, call.path)
        result.interrupted = True
        print(
            f"Stopped after {len(listing.objects):,} objects: {error}\n"
            "What was fetched is kept; .more(to_end=True) resumes.",
            file=sys.stderr,
        )
    ctx.session.remember_ids(result.ids())
    return result


def _again_for_all(line: str) -> str:
    """The line to suggest for fetching everything: without --all/--max and a small page size
    (limit==5 --all would page 5 at a time), so it pages 100 at a time."""
    words = [w for w in line.split() if not re.match(r"^(--all|limit(==|=)\d+|-q|--quiet)$", w)]
    cleaned = " ".join(words)
    cleaned = re.sub(r"\s*--max(-items)?(=|\s+)\d+", "", cleaned)
    cleaned = re.sub(r"\s*-o(\s+|=)\w+", "", cleaned)
    return f"%oncehub {cleaned}".strip()


def _one(ctx: MagicContext, client: OnceHub, call: ApiCall) -> Any:
    from oncehub_nb.explore.result import ObjectResult

    try:
        response = client.request(
            call.method, call.path, params=call.query or None, json_body=call.body
        )
        data = client.json_of(response) if response.content else None
    except (APIError, TransportError) as error:
        return ErrorResult.of(client, error, call.method, call.path)
    info = client.last_call
    result = ObjectResult(
        data,
        path=call.path,
        status_code=info.status_code if info else None,
        request_id=info.request_id if info else None,
    )
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        ctx.session.remember_ids([data["id"]])
    return result


def _deliver(ctx: MagicContext, command: Command, result: Any) -> Any:
    """Store the result (-o NAME) and return it: IPython shows it when the line is the
    cell's last; a failure kept out of sight is still named after the cell."""
    if command.output:
        ctx.keep(command.output, result)
    if isinstance(result, ErrorResult):
        for_notebooks(result.error)
        what = f"%oncehub {result.method} {result.path} failed: {result.error.title}."
        say_if_unseen(ctx.shell, result, what)
    return result
