"""docs/fake-api.md, the table of the SDK methods the fake serves, is what
``tools/gen_fake_table.py`` writes from the fake's routes today."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_fake_table",
                                                  ROOT / "tools" / "gen_fake_table.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_table_of_served_methods_is_up_to_date() -> None:
    written = (ROOT / "docs" / "fake-api.md").read_text()
    assert written == generator().render(), "run: python tools/gen_fake_table.py"


def test_the_table_lists_the_methods_the_docs_use() -> None:
    table = (ROOT / "docs" / "fake-api.md").read_text()
    for method in ("status.get_status", "services.get_service_history",
                   "services.update_guest_list", "users.verify_password",
                   "notifications.get_notifications_for_service"):
        assert f"| `{method}` |" in table
