"""``oncehub-nb``: validate a key from a terminal, run the local sandbox, or scan for keys.

Exit status of ``check``: 0 the key is valid, 1 OnceHub (or the network) said
no, 2 a usage or configuration problem (no key found, unusable key or setting).
Exit status of ``scan``: 0 nothing found and everything scanned, 1 findings (whether or
not everything could be scanned), 2 a usage problem (a path that does not exist), 3 no
findings, but something could not be scanned (a FIFO, a device, an unreadable file or
folder: each is named on stderr).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Any

from oncehub_nb._version import __version__
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
    return parser


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

    key, base_url = args.key, args.base_url
    with ExitStack() as stack:
        if args.sandbox:
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
                timeout=args.timeout,
                retries=args.retries,
                backoff=args.backoff,
            )
        except (KeyProblem, ConfigError) as problem:
            print(f"oncehub-nb: {problem}", file=sys.stderr)
            return EXIT_USAGE
    print(result)
    return EXIT_VALID if result.ok else EXIT_REJECTED


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
    return _sandbox(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
