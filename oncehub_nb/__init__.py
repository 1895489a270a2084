"""Work with the OnceHub API from Jupyter and IPython.

``import oncehub_nb`` is cheap: the public names below load their modules (and
httpx, ipywidgets) only when first used, so ``%load_ext oncehub_nb`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from oncehub_nb._version import __version__

if TYPE_CHECKING:
    from oncehub_nb.api_client import APIKeyAuth, OnceHub
    from oncehub_nb.errors import (
        APIError,
        AuthenticationError,
        ConfigError,
        ConnectionFailed,
        DotenvError,
        InsecureURLError,
        InvalidKeyInput,
        InvalidRequestError,
        KeyNotFound,
        KeyProblem,
        NotFoundError,
        OnceHubError,
        PermissionDenied,
        RateLimitError,
        ServerError,
        TimeoutFailed,
        TLSFailed,
        TransportError,
        UnexpectedResponse,
    )
    from oncehub_nb.keys import ApiKey, KeySearch, find_key, locate_key, require_key
    from oncehub_nb.results import ValidationResult
    from oncehub_nb.session import client
    from oncehub_nb.validate import validate
    from oncehub_nb.widget import AuthWidget

_EXPORTS: dict[str, str] = {
    "ApiKey": "keys",
    "KeySearch": "keys",
    "find_key": "keys",
    "locate_key": "keys",
    "require_key": "keys",
    "OnceHub": "api_client",
    "APIKeyAuth": "api_client",
    "ValidationResult": "results",
    "validate": "validate",
    "client": "session",
    "AuthWidget": "widget",
    **{
        name: "errors"
        for name in (
            "OnceHubError",
            "KeyProblem",
            "InvalidKeyInput",
            "KeyNotFound",
            "ConfigError",
            "DotenvError",
            "InsecureURLError",
            "APIError",
            "AuthenticationError",
            "PermissionDenied",
            "RateLimitError",
            "InvalidRequestError",
            "NotFoundError",
            "ServerError",
            "UnexpectedResponse",
            "TransportError",
            "ConnectionFailed",
            "TimeoutFailed",
            "TLSFailed",
        )
    },
}

__all__ = ["__version__", "load_ipython_extension", "unload_ipython_extension", *_EXPORTS]


def __getattr__(name: str) -> Any:
    """Load a public name's module on first use (PEP 562)."""
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'oncehub_nb' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"oncehub_nb.{module_name}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics: ``%load_ext oncehub_nb``."""
    from oncehub_nb.magics import load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """Undo ``load_ipython_extension``: ``%unload_ext oncehub_nb``."""
    from oncehub_nb.magics import unload

    unload(ipython)
