"""``oncehub-nb``: validate a key from a terminal, list the profiles, run the local sandbox,
scan for keys, or mirror the account into a DuckDB file (``sync``).

Exit status of ``check``: 0 the key is valid, 1 OnceHub (or the network) said
no, 2 a usage or configuration problem (no key found, unusable key or setting).
Exit status of ``profiles``: 0, or 2 when the profiles file cannot be read.
Exit status of ``scan``: 0 nothing found and everything scanned, 1 findings (whether or
not everything could be scanned), 2 a usage problem (a path that does not exist), 3 no
findings, but something could not be scanned (a FIFO, a device, an unreadable file or
folder: each is named on stderr).
Exit status of ``sync``: 0 every stream synced, 1 it stopped early (what was loaded stays;
the next sync resumes), 2 a usage or configuration problem.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Any

from oncehub_nb._version import __version__
from oncehub_nb.constants import SANDBOX_PROFILE
from oncehub_nb.errors import ConfigError, KeyProblem
from oncehub_nb.sandbox.store import Sizes
from oncehub_nb.settings import DEFAULTS, Settings

__all__ = ["main"]

EXIT_VALID, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
EXIT_CLEAN, EXIT_FOUND = EXIT_VALID, EXIT_REJECTED  # scan: nothing found, findings
EXIT_INCOMPLETE = 3  # scan: nothing found, but not everything could be scanned
MAX_INVENTED = 1_000_000


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="oncehub-nb", description="OnceHub API helpers for terminals and notebooks."
    )
    parser.add_argument("--version", action="version", version=f"oncehub-nb {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="validate an API key with GET /test",
        description="Find your API key (ONCEHUB_API_KEY, then .env) and validate it.",
    )
    check.add_argument("--env-file", metavar="PATH", help="read the key from this dotenv file")
    check.add_argument("--var", default=DEFAULTS.var, help="variable holding the key")
    check.add_argument("--base-url", metavar="URL", help="API base URL (default: OnceHub's)")
    check.add_argument(
        "--profile", metavar="NAME", help="validate this profile's key (sandbox: the built-in one)"
    )
    for name, kind in (("timeout", float), ("retries", int), ("backoff", float)):
        check.add_argument(
            f"--{name}", type=kind, default=getattr(DEFAULTS, name), help=Settings.help(name)
        )
    check.add_argument(
        "--key",
        metavar="KEY",
        help="the key itself (lands in your shell history: prefer .env or the environment)",
    )
    check.add_argument(
        "--sandbox",
        action="store_true",
        help="start the built-in sandbox and validate sandbox-demo-key (or --key) against it",
    )

    commands.add_parser(
        "profiles",
        help="list the profiles (keys masked)",
        description="List the profiles in the profiles file (keys masked) and the built-in one.",
    )

    sandbox = commands.add_parser("sandbox", help="run the local OnceHub API sandbox until Ctrl-C")
    sandbox.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: free)")
    sandbox.add_argument("--seed", type=int, default=0, help="seed of the invented data")
    sandbox.add_argument(
        "--bookings", type=_count, default=Sizes.bookings, help="bookings to invent"
    )
    sandbox.add_argument(
        "--contacts", type=_count, default=None, help="contacts to invent (default: scaled)"
    )
    sandbox.add_argument(
        "--no-limits", action="store_true", help="do not enforce OnceHub's rate limits"
    )
    scan = commands.add_parser(
        "scan",
        help="look for your API key in notebooks and files (and for key-shaped literals)",
        description=(
            "Find your configured key (ONCEHUB_API_KEY, .env files) and key-shaped literals "
            "given to OnceHub in notebooks (sources, outputs, widget state, metadata) and any "
            "other file (text or binary, told by its content), and key files Git tracks or "
            "does not ignore. Keys are shown masked. Exit status: 0 nothing found, 1 findings, "
            "2 usage error, 3 nothing found but something could not be scanned."
        ),
    )
    scan.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or folders (default: the current folder)"
    )
    scan.add_argument("--json", action="store_true", help="print the report as JSON")
    scan.add_argument(
        "--fix",
        action="store_true",
        help="clear the notebook outputs and widget state holding a key (never sources)",
    )
    _sync_parser(commands)
    return parser


def _sync_parser(commands: Any) -> None:
    sync = commands.add_parser(
        "sync",
        help="mirror the account into a DuckDB file (oncehub.duckdb) or a dlt destination",
        description=(
            "Copy bookings, contacts, users, teams, event types, booking pages, master pages, "
            "booking calendars and webhooks into oncehub.duckdb; later syncs fetch only "
            "what changed."
        ),
    )
    sync.add_argument("streams", nargs="*", metavar="STREAM", help="streams (default: all)")
    sync.add_argument("--path", default=DEFAULTS.mirror, help=Settings.help("mirror"))
    sync.add_argument(
        "--to",
        metavar="DEST",
        help="a dlt destination (postgres, filesystem, …) set up as dlt does",
    )
    sync.add_argument(
        "--full", action="store_true", help="read everything again; remove what OnceHub lost"
    )
    sync.add_argument(
        "--sweep", action="store_true", help="remove contacts deleted in OnceHub (reads them all)"
    )
    sync.add_argument("--env-file", metavar="PATH", help="read the key from this dotenv file")
    sync.add_argument("--var", default=DEFAULTS.var, help="variable holding the key")
    sync.add_argument("--base-url", metavar="URL", help="API base URL (default: OnceHub's)")
    sync.add_argument(
        "--sandbox", action="store_true", help="mirror the built-in sandbox's demo account"
    )
    sync.add_argument("-q", "--quiet", action="store_true", help="no progress line")


def _sync(args: argparse.Namespace) -> int:
    from oncehub_nb.http.api_client import OnceHub
    from oncehub_nb.mirror.mirror import Mirror

    with ExitStack() as stack:
        key, base_url = None, args.base_url
        if args.sandbox:
            from oncehub_nb.sandbox import Sandbox
            from oncehub_nb.session import sandbox_key

            base_url = stack.enter_context(Sandbox()).base_url
            key = sandbox_key()
        try:
            client = stack.enter_context(
                OnceHub(key, base_url=base_url, env_file=args.env_file, var=args.var)
            )
            mirror = Mirror(args.path, to=args.to)
            mirror.sync(
                *args.streams,
                full=args.full,
                sweep=args.sweep,
                client=client,
                on_progress=None if args.quiet else _terminal_progress(),
            )
        except (KeyProblem, ConfigError) as problem:
            print(f"oncehub-nb: {problem}", file=sys.stderr)
            return EXIT_USAGE
    print(mirror)
    return EXIT_VALID if mirror.ok else EXIT_REJECTED


def _terminal_progress() -> Any:
    from oncehub_nb.ipython.progress import TerminalProgress

    line = TerminalProgress("oncehub sync")

    def report(stream: str, progress: Any) -> None:
        line.label = f"oncehub sync {stream}"
        line(progress)

    return report


def _scan(args: argparse.Namespace) -> int:
    from oncehub_nb.scanner import engine, fix, report

    try:
        found, ring = engine.run_with_keys(args.paths or None)
    except FileNotFoundError as exc:
        print(f"oncehub-nb scan: {exc}", file=sys.stderr)
        return EXIT_USAGE
    fixed: list[fix.Fixed] = []
    if args.fix and found.findings:
        fixed = fix.fix_findings(found.findings, ring)
        if any(done.changed for done in fixed):
            found, ring = engine.run_with_keys(args.paths or None)  # what is left
    if found.problems:
        print(report.problems_text(found), file=sys.stderr)
    print(report.as_json(found, fixed) if args.json else report.as_text(found, fixed))
    if found.findings:
        return EXIT_FOUND
    return EXIT_CLEAN if found.complete else EXIT_INCOMPLETE


def _check(args: argparse.Namespace) -> int:
    from oncehub_nb.validation import validate

    key, base_url, profile = args.key, args.base_url, args.profile
    with ExitStack() as stack:
        if args.sandbox or profile == SANDBOX_PROFILE:
            profile = None  # the sandbox's key, given here
            from oncehub_nb.sandbox import Sandbox
            from oncehub_nb.session import sandbox_key

            sandbox = stack.enter_context(Sandbox())
            key = sandbox_key(key)
            base_url = sandbox.base_url
            print(f"Using the built-in sandbox at {base_url} (no real OnceHub account).")
        elif args.key:
            print(
                "Note: a key on the command line lands in your shell history; "
                "prefer ONCEHUB_API_KEY or a .env file.",
                file=sys.stderr,
            )
        try:
            result = validate(
                key,
                env_file=args.env_file,
                var=args.var,
                base_url=base_url,
                profile=profile,
                timeout=args.timeout,
                retries=args.retries,
                backoff=args.backoff,
            )
        except (KeyProblem, ConfigError) as problem:
            print(f"oncehub-nb: {problem}", file=sys.stderr)
            return EXIT_USAGE
    print(result)
    return EXIT_VALID if result.ok else EXIT_REJECTED


def _profiles() -> int:
    from oncehub_nb.sources.profiles import profiles_path, read_profiles

    path = profiles_path()
    try:
        profiles = read_profiles(path)
    except ConfigError as problem:
        print(f"oncehub-nb: {problem}", file=sys.stderr)
        return EXIT_USAGE
    print(f"Profiles in {path}" + ("" if path.exists() else " (no such file yet)") + ":")
    for profile in profiles.values():
        where = f"unusable: {profile.problem}" if profile.problem else profile.where
        base = f"  {profile.base_url}" if profile.base_url else ""
        print(f"  {profile.name:<16} {where}{base}")
    print(
        "Use one: %oncehub_auth --profile NAME, ONCEHUB_PROFILE=NAME, or "
        "oncehub-nb check --profile NAME."
    )
    return EXIT_VALID


def _count(text: str) -> int:
    """A size for invented data: a whole number from 0 to 1,000,000."""
    value = int(text)
    if not 0 <= value <= MAX_INVENTED:
        raise argparse.ArgumentTypeError(f"must be between 0 and {MAX_INVENTED:,}")
    return value


def _sandbox(args: argparse.Namespace) -> int:
    from oncehub_nb.sandbox import serve

    contacts = args.contacts
    if contacts is None:  # about one contact for every two bookings, at least the default
        contacts = max(Sizes.contacts, args.bookings // 2)
    limits: dict[str, Any] = {"key_limit": None, "address_limit": None} if args.no_limits else {}
    try:
        serve(port=args.port, seed=args.seed, bookings=args.bookings, contacts=contacts, **limits)
    except OSError as exc:
        print(
            f"oncehub-nb: cannot start the sandbox on port {args.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return EXIT_VALID


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "check":
        return _check(args)
    if args.command == "scan":
        return _scan(args)
    if args.command == "sync":
        return _sync(args)
    if args.command == "profiles":
        return _profiles()
    return _sandbox(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
