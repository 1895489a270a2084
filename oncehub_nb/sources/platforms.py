"""The key in a notebook platform's own secret store: Colab's Secrets, Kaggle's secrets.

Each store is asked only on its platform: its marker in the environment
(``KAGGLE_KERNEL_RUN_TYPE``, ``COLAB_RELEASE_TAG``) and its module importable. Kaggle
is checked first: its image is built on Colab's and sets ``COLAB_RELEASE_TAG`` too.

Asking may block (Colab asks the user to grant the notebook access and waits), so the
question runs in a daemon thread and is given up after ``timeout`` seconds with a note:
never a hang, never a failed cell. What a store raises is told by its class name only:
its messages could quote the service's answer, which may hold the secret.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from oncehub_nb.keys import ApiKey, KeySearch, KeyStep

__all__ = ["COLAB", "KAGGLE", "PLATFORMS", "Platform", "Reading", "detect", "read_secret", "step"]


def _colab(name: str) -> Any:
    userdata: Any = importlib.import_module("google.colab.userdata")
    return userdata.get(name)


def _kaggle(name: str) -> Any:
    secrets: Any = importlib.import_module("kaggle_secrets")
    return secrets.UserSecretsClient().get_secret(name)


@dataclass(frozen=True)
class Platform:
    """A notebook platform with a secret store."""

    name: str  # "Google Colab"
    store: str  # what its users call the store
    marker: str  # an environment variable set on the platform only
    module: str  # the store's module, importable there
    read: Callable[[str], Any]  # one secret by name (may block, may raise)
    #: what the store's exceptions mean, by class name
    reasons: tuple[tuple[str, str], ...] = ()


COLAB = Platform(
    "Google Colab",
    "Colab's Secrets",
    "COLAB_RELEASE_TAG",
    "google.colab",
    _colab,
    (
        ("SecretNotFoundError", "Colab's Secrets have no {name}"),
        (
            "NotebookAccessError",
            "this notebook may not read {name} from Colab's Secrets (turn on its "
            "'Notebook access' in the Secrets panel)",
        ),
    ),
)
KAGGLE = Platform(
    "Kaggle",
    "Kaggle's secrets",
    "KAGGLE_KERNEL_RUN_TYPE",
    "kaggle_secrets",
    _kaggle,
    (
        ("BackendError", "Kaggle's secrets gave no {name} (attach it: Add-ons > Secrets)"),
        ("CredentialError", "Kaggle's secrets are not available to this notebook"),
        ("ConnectionError", "Kaggle's secrets service could not be reached"),
    ),
)
PLATFORMS = (KAGGLE, COLAB)


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def detect(environ: Mapping[str, str] | None = None) -> Platform | None:
    """The platform this kernel runs on, if it is one with a secret store."""
    env = os.environ if environ is None else environ
    for platform in PLATFORMS:
        if env.get(platform.marker) is not None and _importable(platform.module):
            return platform
    return None


@dataclass(frozen=True)
class Reading:
    """What asking a store gave: the value, or why not (never the store's message)."""

    value: str | None
    why_not: str = ""
    timed_out: bool = False


def _reason(platform: Platform, name: str, error: BaseException) -> str:
    for cls in type(error).__mro__:
        for class_name, reason in platform.reasons:
            if cls.__name__ == class_name:
                return reason.format(name=name)
    return f"{platform.store} failed ({type(error).__name__})"


def read_secret(platform: Platform, name: str, timeout: float) -> Reading:
    """Ask ``platform``'s store for secret ``name``, waiting at most ``timeout`` seconds."""
    box: dict[str, Any] = {}

    def ask() -> None:
        try:
            box["value"] = platform.read(name)
        except BaseException as error:  # anything: the cell must not fail for it
            box["error"] = error

    thread = threading.Thread(target=ask, name=f"oncehub-nb {platform.store}", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        return Reading(
            None,
            f"{platform.store} did not answer within {timeout:g} s: skipped "
            "(%config OnceHubMagics.secret_timeout sets the wait)",
            timed_out=True,
        )
    if "error" in box:
        return Reading(None, _reason(platform, name, box["error"]))
    value = box.get("value")
    if not isinstance(value, str) or not value.strip():
        return Reading(None, f"{name} is empty in {platform.store}")
    return Reading(value)


def step(var: str, timeout: float, environ: Mapping[str, str] | None = None) -> KeyStep:
    """A key source for :func:`~oncehub_nb.keys.locate_key`: secret ``var`` of the
    platform's store, when the kernel runs on one."""

    def from_platform(search: KeySearch) -> ApiKey | None:
        platform = detect(environ)
        if platform is None:
            return None
        reading = read_secret(platform, var, timeout)
        if reading.value is None:  # a store that did not answer is a note to show
            (search.warnings if reading.timed_out else search.tried).append(reading.why_not)
            return None
        return ApiKey(reading.value, source=f"{platform.store} ({var})")

    return from_platform
