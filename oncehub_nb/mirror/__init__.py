"""The account kept close: an incremental local mirror to query with SQL and pandas.

``streams`` (what is copied), ``watermark`` (date-granular incremental reading),
``state`` (where each stream stands), ``target`` (where the mirror lives), ``store``
(dlt: tables, state, merges, destinations), ``engine`` (one sync: pages read with this
package's client, loaded in batches), ``report`` (what a sync did), ``views`` (how a
mirror shows) and ``mirror`` (:class:`Mirror`, and :func:`sync`). dlt and DuckDB are
imported only when a mirror is used (``pip install 'oncehub-nb[mirror]'``).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oncehub_nb.http.paging import PageSource
    from oncehub_nb.mirror.engine import StreamProgress
    from oncehub_nb.mirror.mirror import Mirror

__all__ = ["sync"]


def sync(
    *streams: str,
    to: str | None = None,
    full: bool = False,
    sweep: bool = False,
    path: str | os.PathLike[str] | None = None,
    client: PageSource | None = None,
    on_progress: StreamProgress | None = None,
) -> Mirror:
    """Mirror the account (every stream, or those named) into ``oncehub.duckdb`` (the
    ``mirror`` setting, or ``path``; or the dlt destination ``to``); returns the
    :class:`Mirror`. Without ``client``, the session's (after ``%oncehub_auth``).

    >>> m = oncehub_nb.sync()                       # doctest: +SKIP
    >>> m.sql("select status, count(*) from bookings group by 1")  # doctest: +SKIP
    """
    from oncehub_nb.mirror.mirror import Mirror
    from oncehub_nb.session import current

    return Mirror(path or current().settings.mirror, to=to).sync(
        *streams, full=full, sweep=sweep, client=client, on_progress=on_progress
    )
