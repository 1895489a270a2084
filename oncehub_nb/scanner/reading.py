"""Reading a file safely: regular files only, never more than a bound at once.

A FIFO, socket or device (or a link to one, such as ``/dev/zero``) is never opened for
its content: its kind is read with ``os.stat`` first, then the file is opened without
blocking and checked again on the open descriptor (it could have been replaced in
between). A file larger than the bound is not read whole: :func:`chunks` gives it in
pieces.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

__all__ = ["DEFAULT_MAX_READ", "Unreadable", "chunks", "describe_mode", "read", "why"]

DEFAULT_MAX_READ = 32 * 1024 * 1024  # bytes read at once; larger files come in pieces
_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO must not make open() wait for a writer
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a folder"),
)


class Unreadable(OSError):
    """A file that was not read, and why (said without its content)."""


def describe_mode(mode: int) -> str:
    """What a file that is not a regular file is: "a FIFO (named pipe)", "a socket"…"""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def why(error: OSError) -> str:
    """An OSError in a few words: its strerror, else its type."""
    return error.strerror or str(error) or type(error).__name__


def _open(path: Path) -> int:
    """A descriptor of the regular file at ``path``; Unreadable for anything else."""
    mode = os.stat(path).st_mode  # follows links: a link to /dev/zero is a device
    if not stat.S_ISREG(mode):
        raise Unreadable(f"{describe_mode(mode)}: not opened")
    descriptor = os.open(path, _FLAGS)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):  # replaced between stat and open
            raise Unreadable(f"{describe_mode(mode)}: not read")
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def read(path: Path, limit: int = DEFAULT_MAX_READ) -> bytes | None:
    """The content of a regular file, or None when it holds more than ``limit`` bytes
    (read it with :func:`chunks`). Raises Unreadable (or another OSError)."""
    with os.fdopen(_open(path), "rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        if size > limit:
            return None
        data = stream.read(size + 1)  # (not limit + 1: read() allocates what it is asked)
        if len(data) > size:  # it grew since: read on, as far as the limit
            data += stream.read(limit + 1 - len(data))
    return data if len(data) <= limit else None


def chunks(path: Path, size: int = DEFAULT_MAX_READ) -> Iterator[bytes]:
    """A regular file's content in pieces of at most ``size`` bytes."""
    with os.fdopen(_open(path), "rb") as stream:
        while piece := stream.read(size):
            yield piece
