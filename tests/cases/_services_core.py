"""Cases for ServiceAPIClient methods implemented in notify_async/clients/_service_core.py."""

from __future__ import annotations

from tests.harness import Case

CASES: dict[str, list[Case]] = {}
