"""One call from "where is my key?" to "is it valid?"."""

from __future__ import annotations

import os
from typing import Any

from oncehub_nb.keys import DEFAULT_VAR, ApiKey
from oncehub_nb.results import ValidationResult

__all__ = ["validate"]


def validate(
    key: ApiKey | str | None = None,
    *,
    env_file: str | os.PathLike[str] | None = None,
    var: str = DEFAULT_VAR,
    base_url: str | None = None,
    **client_options: Any,
) -> ValidationResult:
    """Find the key (argument > environment > .env), call ``GET /test``, return the result.

    The base URL: ``base_url`` > ONCEHUB_BASE_URL > the same .env file's > OnceHub's.

    Raises KeyProblem or ConfigError when there is no usable key or setting;
    answers from OnceHub, good or bad, come back as the result.
    """
    from oncehub_nb.api_client import OnceHub

    with OnceHub(key, env_file=env_file, var=var, base_url=base_url, **client_options) as client:
        return client.test()
