"""JupyterLab with widget-state saving switched on: the saved state holds no typed key."""

from __future__ import annotations

import json
import secrets
from typing import Any

from e2ekit.keys import SUCCESS_EXPECTED, WRONG_KEY_EXPECTED, assert_no_key_saved
from e2ekit.ui import NotebookUI

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _models(notebook: dict[str, Any], name: str) -> list[dict[str, Any]]:
    state = notebook.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    return [model["state"] for model in state.values() if model.get("model_name") == name]


def test_saved_widget_state_holds_no_typed_key(lab_saving_widgets: NotebookUI) -> None:
    ui = lab_saving_widgets
    form = ui.auth_form()
    canary = f"FAKE-state-canary-{secrets.token_hex(4)}"
    form.validate(canary, WRONG_KEY_EXPECTED)
    form.validate("sandbox-demo-key", SUCCESS_EXPECTED)
    saved = ui.save()
    ui.shot("saved-with-widget-state")
    notebook = assert_no_key_saved(saved, ui.typed_keys)
    passwords = _models(notebook, "PasswordModel")
    assert passwords, f"no widget state saved: metadata has {sorted(notebook['metadata'])}"
    # The manager leaves out values equal to the default: a missing value is "" too.
    assert [model.get("value", "") for model in passwords] == [""], passwords
    statuses = [m.get("value", "") for m in _models(notebook, "HTMLModel")]
    assert any("demo@example.com" in value for value in statuses), json.dumps(statuses)[:500]
    assert canary not in saved
