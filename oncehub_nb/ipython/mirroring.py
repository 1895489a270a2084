"""What ``%oncehub_sync`` does once its arguments are read: sync the session's account into
the mirror, with a progress line, and return the :class:`~oncehub_nb.Mirror` (shown as
IPython shows any value). A sync that stops early (Ctrl-C, an error) keeps what it
loaded; the returned mirror says so, and a line after the cell names it if it is not
shown."""

from __future__ import annotations

from argparse import Namespace
from typing import TYPE_CHECKING, Any

from oncehub_nb.errors import NoSessionKey, OnceHubError
from oncehub_nb.ipython.unseen import say_if_unseen
from oncehub_nb.ipython.usage import NOT_SIGNED_IN, OnceHubUsageError

if TYPE_CHECKING:
    from oncehub_nb.http.paging import Progress
    from oncehub_nb.ipython.context import MagicContext
    from oncehub_nb.mirror.engine import StreamProgress
    from oncehub_nb.mirror.mirror import Mirror

__all__ = ["run", "stream_progress"]


def stream_progress(shell: Any) -> StreamProgress:
    """One progress line for the whole sync, labelled with the stream being read."""
    from oncehub_nb.ipython.progress import progress_for

    line = progress_for(shell, "oncehub sync")

    def report(stream: str, progress: Progress) -> None:
        line.label = f"oncehub sync {stream}"  # type: ignore[attr-defined]
        line(progress)

    return report


def run(ctx: MagicContext, args: Namespace) -> Mirror:
    """Sync the streams asked for (all by default) and return the mirror."""
    from oncehub_nb.mirror.mirror import Mirror

    try:
        client = ctx.session.client()
    except NoSessionKey:
        raise OnceHubUsageError(NOT_SIGNED_IN) from None
    try:
        mirror = Mirror(args.path or ctx.settings.mirror, to=args.to)
        mirror.sync(
            *args.streams,
            full=args.full,
            sweep=args.sweep,
            client=client,
            on_progress=None if args.quiet else stream_progress(ctx.shell),
        )
    except OnceHubError as error:  # a setting, an unknown stream, dlt not installed
        raise OnceHubUsageError(str(error)) from None
    if not mirror.ok:
        report = mirror.report
        why = "interrupted" if report is not None and report.interrupted else "stopped"
        say_if_unseen(
            ctx.shell,
            mirror,
            f"%oncehub_sync {why}: what was loaded stays, and the next sync resumes.",
        )
    return mirror
