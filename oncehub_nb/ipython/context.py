"""What a magic's handler may use: the shell, the session and the settings of this call.

Handlers take a :class:`MagicContext`, not the ``Magics`` object, so they depend on
three plain things and can be called (and tested) without registering any magic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from oncehub_nb.session import Session
    from oncehub_nb.settings import Settings

__all__ = ["MagicContext"]


@dataclass(frozen=True)
class MagicContext:
    """The shell a magic runs in, the kernel's session, and the settings in force."""

    shell: Any
    session: Session
    settings: Settings

    @property
    def namespace(self) -> dict[str, Any]:
        """A copy of the user's variables (for ``{name}`` and ``$name``)."""
        return dict(getattr(self.shell, "user_ns", {}) or {})

    def keep(self, name: str, value: Any) -> None:
        """Store ``value`` in the user's variable ``name`` (``-o NAME``)."""
        self.shell.user_ns[name] = value
