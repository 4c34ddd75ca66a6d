"""mkdocs hooks (``hooks:`` in mkdocs.yml).

* Guides other people are still writing (``OPTIONAL_PAGES``) stay in the nav only once their
  file exists, so the strict build does not fail in between.
* Sphinx roles in docstrings (``:class:`~notify_async.errors.HTTPError```) are shown as code
  (``HTTPError``) on the API reference pages, instead of the literal role.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

#: Pages listed in the nav that may not exist yet.
OPTIONAL_PAGES = {"sync.md", "scale-out.md"}

_ROLE = re.compile(r":(?:class|meth|func|attr|mod|exc|data|obj|const):<code>(~?)([\w.]+)</code>")


def _code(match: re.Match[str]) -> str:
    short, target = match.groups()
    return f"<code>{target.rsplit('.', 1)[-1] if short else target}</code>"


def on_page_content(html: str, **_: Any) -> str:
    """Rewrite every rendered Sphinx role of the page."""
    return _ROLE.sub(_code, html)


def _present(nav: Any, docs: Path) -> Any:
    if isinstance(nav, list):
        kept = [_present(item, docs) for item in nav]
        return [item for item in kept if item is not None]
    if isinstance(nav, dict):
        kept = {title: _present(item, docs) for title, item in nav.items()}
        return {title: item for title, item in kept.items() if item is not None} or None
    if isinstance(nav, str) and nav in OPTIONAL_PAGES and not (docs / nav).exists():
        return None
    return nav


def on_config(config: Any, **_: Any) -> Any:
    """Drop the optional pages that do not exist (yet) from the nav."""
    config["nav"] = _present(config["nav"], Path(config["docs_dir"]))
    return config
