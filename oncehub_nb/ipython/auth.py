"""What ``%oncehub_auth`` and ``%oncehub_test`` do once their arguments are parsed.

``magics.py`` declares the magics (arguments, ``%config`` settings) and loads this
module on the first call, so ``%load_ext`` stays as cheap as IPython's own
machinery; everything here is plain calls into keys, session and validation.
Expected failures become one-line usage errors or inline results.
"""

from __future__ import annotations

import sys
from argparse import Namespace
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from oncehub_nb.constants import DEFAULT_BASE_URL, SANDBOX_PROFILE
from oncehub_nb.errors import ARGUMENT_SOURCE, KeyNotFound, NoInteractiveInput, OnceHubError
from oncehub_nb.ipython.advice import for_notebooks
from oncehub_nb.ipython.prompt import ask_for_key, can_ask, widgets_can_render
from oncehub_nb.ipython.unseen import say_if_unseen
from oncehub_nb.ipython.usage import OnceHubUsageError
from oncehub_nb.keys import ApiKey, KeySearch
from oncehub_nb.session import sandbox_key
from oncehub_nb.sources.search import locate_key
from oncehub_nb.urls import check_base_url
from oncehub_nb.validation import ValidationResult
from oncehub_nb.validation import check as check_key
from oncehub_nb.whoami import Status, status

if TYPE_CHECKING:
    from oncehub_nb.ipython.context import MagicContext

__all__ = ["check", "sign_in"]

# What _resolve_key found: the key (None when the form took over), its base URL, and the
# profile it came from (or is saved into).
Found = tuple[ApiKey | None, str | None, str | None]

INLINE_KEY_WARNING = (
    "Warning: a key typed into the cell is now in IPython's input history and in the "
    "notebook's source. Prefer ONCEHUB_API_KEY or a .env file next to the notebook "
    "(see .env.example; %oncehub_auth --save writes it), and consider rotating this key "
    "in OnceHub. Before sharing the notebook: edit this cell to remove the key, and run "
    "oncehub-nb scan --fix to clear any outputs that show it."
)
TRACKED_DOTENV_WARNING = (
    "Warning: {path} holds your key and is tracked by Git: a commit would publish it. "
    "Run git rm --cached {name}, add it to .gitignore, and consider rotating the key."
)
NOT_SIGNED_IN = (
    "No OnceHub key in this session: run %oncehub_auth first (or oncehub_nb.AuthWidget())."
)


def sign_in(ctx: MagicContext, args: Namespace) -> ValidationResult | Status | None:
    """``%oncehub_auth``: find the key, make it the session's once OnceHub confirms it;
    return OnceHub's answer (None when nothing was asked). ``--status``: who am I."""
    session = ctx.session
    if args.status:
        return status(session)
    if args.forget:
        had_key = session.forget()
        print("OnceHub key forgotten." if had_key else "There was no OnceHub key to forget.")
        if args.save is not None:
            _forget_saved(ctx, args)
        return None
    _check_save_options(args)
    _warn_inline_key(args)
    try:
        key, base_url, profile = _resolve_key(ctx, args)
    except OnceHubError as error:
        raise OnceHubUsageError(str(error)) from None
    if key is None:
        return None  # the widget took over
    result = session.sign_in(key, base_url, validate=not args.no_validate, profile=profile)
    if result is None:
        print(f"OnceHub key {key.described} set for this session (not validated).")
        return None
    if not result.ok:
        for_notebooks(result.error)
        say_if_unseen(
            ctx.shell, result, f"%oncehub_auth: {result.title}; the session is unchanged."
        )
    elif args.save is not None and args.profile:
        _save_profile(ctx, args.profile, key)
    elif args.save is not None:
        _save(ctx, args, key)
    return result


def _check_save_options(args: Namespace) -> None:
    if args.save is None:
        if args.gitignore:
            raise OnceHubUsageError(
                "--gitignore goes with --save: %oncehub_auth --save --gitignore"
            )
        return
    if args.no_validate:
        raise OnceHubUsageError(
            "--save remembers only a key OnceHub has confirmed: drop --no-validate."
        )
    if args.sandbox or args.profile == SANDBOX_PROFILE:
        raise OnceHubUsageError("--save is for your OnceHub key; the sandbox needs none saved.")
    if args.profile and (args.save or args.gitignore):
        raise OnceHubUsageError(
            "--save --profile NAME writes into the profiles file: give no PATH or --gitignore."
        )


def _save(ctx: MagicContext, args: Namespace, key: ApiKey) -> None:
    """Write the confirmed key into .env (or the path given) and say what Git would do."""
    from oncehub_nb.remember import ignore_in_git, save_key, target

    var = args.var or ctx.settings.var
    base_url = ctx.session.base_url
    other_server = base_url if base_url and base_url != DEFAULT_BASE_URL else None
    try:
        saved = save_key(key, target(args.save or None), var, other_server)
    except OnceHubError as error:
        raise OnceHubUsageError(f"The key works but was not saved: {error}") from None
    how = "created, readable by you only" if saved.created else "updated, other lines kept"
    print(f"Saved {var} to {saved.path} ({how}): %oncehub_auth finds it after a restart.")
    if args.gitignore:
        gitignore = ignore_in_git(saved.path)
        print(
            f"Added {saved.path.name} to {gitignore}."
            if gitignore
            else f"{saved.path.parent} is not in a Git work tree: no .gitignore to change."
        )
        if gitignore and saved.git.tracked:
            print(f"It is still tracked: git rm --cached {saved.path}", file=sys.stderr)
        return
    for note in saved.notes():
        print(f"Note: {note}", file=sys.stderr)


def _save_profile(ctx: MagicContext, name: str, key: ApiKey) -> None:
    """Store the confirmed key (and a base URL other than OnceHub's) as profile ``name``."""
    from oncehub_nb.sources.profiles import save_profile

    base_url = ctx.session.base_url
    other_server = base_url if base_url and base_url != DEFAULT_BASE_URL else None
    try:
        saved = save_profile(name, key, base_url=other_server)
    except OnceHubError as error:
        ctx.session.profile = None  # signed in, but the key is in no profile
        raise OnceHubUsageError(f"The key works but was not saved: {error}") from None
    ctx.session.profile_names = sorted({*ctx.session.profile_names, name})
    how = "created, readable by you only" if saved.created else "updated, other profiles kept"
    print(
        f"Saved the key as profile '{name}' in {saved.path} ({how}): "
        f"%oncehub_auth --profile {name} uses it, in any notebook."
    )


def _forget_saved(ctx: MagicContext, args: Namespace) -> None:
    if args.profile:
        from oncehub_nb.sources.profiles import forget_profile

        try:
            removed = forget_profile(args.profile)
        except OnceHubError as error:
            raise OnceHubUsageError(str(error)) from None
        said = "Removed" if removed else "There is no"
        print(f"{said} profile '{args.profile}' from the profiles file.")
        return
    from oncehub_nb.remember import forget_key, target

    var = args.var or ctx.settings.var
    try:
        path = target(args.save or None)
    except OnceHubError as error:
        raise OnceHubUsageError(str(error)) from None
    if forget_key(path, var):
        print(f"Removed {var} from {path}.")
    else:
        print(f"{path} holds no {var}: nothing removed.")


def check(ctx: MagicContext, args: Namespace) -> ValidationResult:
    """``%oncehub_test``: validate a key without changing the session; return the answer."""
    _warn_inline_key(args)
    try:
        result = _run_test(ctx, args)
    except OnceHubError as error:
        raise OnceHubUsageError(str(error)) from None
    if not result.ok:
        for_notebooks(result.error)
        say_if_unseen(ctx.shell, result, f"%oncehub_test: {result.title}.")
    return result


def _warn_inline_key(args: Namespace) -> None:
    if args.key and not args.sandbox:
        print(INLINE_KEY_WARNING, file=sys.stderr)


def _search(ctx: MagicContext, args: Namespace, *, use_profile: bool = True) -> KeySearch:
    search = locate_key(
        args.key,
        profile=args.profile if use_profile else None,
        env_file=args.env_file or ctx.settings.env_file or None,
        var=args.var or ctx.settings.var,
        secret_timeout=ctx.settings.secret_timeout,
    )
    for warning in search.warnings:
        print(f"Note: {warning}", file=sys.stderr)
    if (
        search.key is not None
        and search.dotenv_path is not None
        and search.key.source != ARGUMENT_SOURCE
    ):
        _warn_if_tracked(search.dotenv_path)
    return search


def _warn_if_tracked(path: Path) -> None:
    from oncehub_nb.remember import git_facts

    if git_facts(path.resolve()).tracked:
        print(TRACKED_DOTENV_WARNING.format(path=path, name=path.name), file=sys.stderr)


def _base_url(args: Namespace) -> str | None:
    return check_base_url(args.base_url) if args.base_url else None


def _show_widget(
    ctx: MagicContext, message: str | None = None, base_url: str | None = None
) -> None:
    from IPython.display import display

    from oncehub_nb.ipython.widget import AuthWidget  # ipywidgets: only when shown

    if message:
        print(message)
    display(AuthWidget(session=ctx.session, base_url=base_url))


def _key_base_url(ctx: MagicContext, search: KeySearch, base_url: str | None) -> str:
    """Where the found key's calls go (the session's sandbox for the sandbox profile)."""
    explicit = base_url or ctx.settings.base_url or None
    if search.sandbox and not explicit:
        explicit = ctx.session.sandbox_url()
    return search.base_url(explicit)


def _resolve_key(ctx: MagicContext, args: Namespace) -> Found:
    """The key to use, its base URL and profile; key None when the widget was shown."""
    session, shell = ctx.session, ctx.shell
    base_url = _base_url(args)
    saving_profile = args.save is not None and args.profile
    named = args.profile if saving_profile else None  # the profile a key is saved into
    if args.sandbox:
        return sandbox_key(args.key), session.sandbox_url(), None
    if args.widget:
        _show_widget(ctx, base_url=base_url)
        return None, base_url, None
    var = args.var or ctx.settings.var
    if args.prompt:
        return ask_for_key(shell, var), base_url, named
    search = _search(ctx, args, use_profile=not saving_profile)
    if search.key is not None:
        return search.key, _key_base_url(ctx, search, base_url), search.profile or named
    if args.fallback_sandbox:
        print("No OnceHub key found: using the built-in sandbox (no real account).")
        return sandbox_key(), session.sandbox_url(), None
    in_kernel = getattr(shell, "kernel", None) is not None
    if in_kernel and can_ask(shell) and widgets_can_render(shell) and not saving_profile:
        tried = "; ".join(search.tried)
        _show_widget(ctx, f"No OnceHub key found ({tried}). Sign in below:", base_url)
        return None, base_url, None
    if not can_ask(shell):
        raise NoInteractiveInput(var=var)
    return ask_for_key(shell, var), base_url, named


def _run_test(ctx: MagicContext, args: Namespace) -> ValidationResult:
    session = ctx.session
    base_url = _base_url(args)
    if args.sandbox:
        return session.check(sandbox_key(args.key), session.sandbox_url())
    if args.key or args.env_file or args.var or base_url or args.profile:
        search = _search(ctx, args)
        if search.key is None:
            raise KeyNotFound(search.tried + search.warnings, var=args.var or ctx.settings.var)
        result = session.check(search.key, _key_base_url(ctx, search, base_url))
        header = session.header_for(search.profile, result.account, result.base_url)
        return replace(result, header=header)
    if not session.signed_in:
        raise OnceHubUsageError(NOT_SIGNED_IN)
    return check_key(session.client())
