"""Stand-ins for the notebook platforms' secret stores, written to a folder put on
``sys.path``: ``google.colab.userdata`` and ``kaggle_secrets``, each following its
platform's documented API.

- Colab: ``userdata.get(key)`` returns the secret, raises ``SecretNotFoundError`` when
  there is none and ``NotebookAccessError`` when the notebook was not granted access; it
  blocks while Colab asks the user (``timeout_sec=None``).
- Kaggle: ``UserSecretsClient()`` (``CredentialError`` without its token variable),
  ``.get_secret(label)`` returns the secret, raises ``BackendError`` when the service has
  none for the label (its message quotes the service's answer).

A test sets what they answer through the module's attributes: ``SECRETS`` (name → value),
``ACCESS`` (Colab: names the notebook may read; None: all) and ``HANG`` (an Event: while
it is not set, every question blocks; the fixture sets it at the end, so no thread stays).
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

__all__ = ["COLAB_MARKER", "KAGGLE_MARKER", "StandIn", "blocked_threads", "platform_standins"]

COLAB_MARKER = ("COLAB_RELEASE_TAG", "release-colab_20250101-060000_RC00")
KAGGLE_MARKER = ("KAGGLE_KERNEL_RUN_TYPE", "Interactive")

_CONTROLS = """
import threading

SECRETS = {}
ACCESS = None
HANG = threading.Event()
HANG.set()
"""

USERDATA = (
    '"""Stand-in for google.colab.userdata (tests only)."""\n'
    + _CONTROLS
    + """

class NotebookAccessError(Exception):
    def __init__(self, key):
        super().__init__(f"Notebook does not have access to secret {key}")


class SecretNotFoundError(Exception):
    def __init__(self, key):
        super().__init__(f"Secret {key} does not exist.")


def get(key):
    HANG.wait()  # Colab waits for the user's answer, without a timeout
    if key not in SECRETS:
        raise SecretNotFoundError(key)
    if ACCESS is not None and key not in ACCESS:
        raise NotebookAccessError(key)
    return SECRETS[key]
"""
)

KAGGLE_SECRETS = (
    '"""Stand-in for kaggle_secrets (tests only)."""\n'
    + _CONTROLS
    + """
import os


class CredentialError(Exception):
    pass


class BackendError(Exception):
    pass


class UserSecretsClient:
    def __init__(self):
        if os.environ.get("KAGGLE_USER_SECRETS_TOKEN") is None:
            raise CredentialError("A JWT Token is required to use the UserSecretsClient")

    def get_secret(self, label):
        HANG.wait()
        if label not in SECRETS:
            raise BackendError(f"Unexpected response from the service. Response: {SECRETS}")
        return SECRETS[label]
"""
)


class StandIn:
    """The two stand-in modules, imported from the folder on ``sys.path``."""

    def __init__(self, colab: ModuleType, kaggle: ModuleType) -> None:
        self.colab = colab
        self.kaggle = kaggle

    def release(self) -> None:
        for module in (self.colab, self.kaggle):
            module.HANG.set()


_NAMES = ("google", "google.colab", "google.colab.userdata", "kaggle_secrets")


@contextmanager
def platform_standins(folder: Path) -> Iterator[StandIn]:
    """Write the stand-ins into ``folder``, put it on ``sys.path``, import them; undo it all
    at the end (a question still blocked is released first)."""
    colab = folder / "google" / "colab"
    colab.mkdir(parents=True)
    (colab / "__init__.py").write_text('"""Stand-in for google.colab."""\n', encoding="utf-8")
    (colab / "userdata.py").write_text(USERDATA, encoding="utf-8")
    (folder / "kaggle_secrets.py").write_text(KAGGLE_SECRETS, encoding="utf-8")
    sys.path.insert(0, str(folder))
    importlib.invalidate_caches()
    try:
        stand_in = StandIn(
            importlib.import_module("google.colab.userdata"),
            importlib.import_module("kaggle_secrets"),
        )
        try:
            yield stand_in
        finally:
            stand_in.release()
    finally:
        sys.path.remove(str(folder))
        for name in _NAMES:
            sys.modules.pop(name, None)
        importlib.invalidate_caches()


def blocked_threads() -> list[threading.Thread]:
    """Threads still asking a stand-in store (there should be none after a test)."""
    return [t for t in threading.enumerate() if t.name.startswith("oncehub-nb ")]
