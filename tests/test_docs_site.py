"""The documentation site's sources are complete: every guide is in the nav, the API reference
covers the facade, every sub-client, the types, errors, cache and testing, the build needs
nothing from the network, and no document points outside the repository."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from notify_async import NotifyAdminClient

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


class _Loader(yaml.SafeLoader):
    """Reads mkdocs.yml, leaving its ``!ENV`` / ``!!python/name`` tags as plain values."""


_Loader.add_multi_constructor("", lambda loader, suffix, node: None)
CONFIG: dict[str, Any] = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=_Loader)


def nav_files(nav: Any) -> list[str]:
    if isinstance(nav, list):
        return [f for item in nav for f in nav_files(item)]
    if isinstance(nav, dict):
        return [f for item in nav.values() for f in nav_files(item)]
    return [nav]


def reference_text() -> str:
    return "\n".join(p.read_text() for p in sorted((DOCS / "reference").glob("*.md")))


def test_every_page_is_in_the_nav() -> None:
    pages = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md")}
    assert pages - set(nav_files(CONFIG["nav"])) == set()


def test_the_reference_documents_every_sub_client_of_the_facade() -> None:
    notify = NotifyAdminClient("http://docs.invalid", "id", "x" * 32)
    text = reference_text()
    classes = {
        f"{type(value).__module__}.{type(value).__qualname__}"
        for name in dir(type(notify)) if not name.startswith("_")
        for value in [getattr(notify, name, None)]
        if type(value).__module__.startswith("notify_async.clients.")
    }
    assert len(classes) >= 31
    assert {c for c in classes if f"::: {c}\n" not in text} == set()
    # ServiceAPIClient and UserApiClient are made of mixins: their methods are inherited.
    assert text.count("inherited_members: true") >= len(classes)


def test_the_reference_covers_the_facade_types_errors_cache_and_testing() -> None:
    text = reference_text()
    for target in ("notify_async.NotifyAdminClient", "notify_async.types",
                   "notify_async.errors", "notify_async.cache.MemoryCache",
                   "notify_async.cache.redis.RedisCache",
                   "notify_async.testing._app.FakeNotifyAPI",
                   "notify_async.testing.pytest_plugin"):
        assert f"::: {target}\n" in text, target


def test_the_build_uses_no_plugin_that_fetches_anything() -> None:
    plugins = {next(iter(p)) if isinstance(p, dict) else p for p in CONFIG["plugins"]}
    assert plugins == {"search", "mkdocstrings"}
    assert CONFIG["theme"]["font"] is False  # no web fonts loaded by the pages either
    handler = CONFIG["plugins"][1]["mkdocstrings"]["handlers"]["python"]
    assert "inventories" not in handler
    assert "import" not in handler


def test_python_blocks_live_only_where_the_snippet_test_runs_them() -> None:
    """tests/test_docs_snippets.py runs the ```python blocks of README.md and docs/*.md."""
    nested = [p for p in DOCS.rglob("*.md") if p.parent != DOCS]
    assert [p for p in nested if "```python" in p.read_text()] == []


def test_no_document_points_outside_the_repository() -> None:
    for document in [ROOT / "README.md", *DOCS.rglob("*.md")]:
        text = document.read_text()
        assert not re.search(r"\.\./shared|spec/ENDPOINTS|spec/samples", text), document.name
