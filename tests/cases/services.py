"""Cases for ``notify.services`` (merged from the per-mixin modules)."""

from __future__ import annotations

from tests.cases._services_core import CASES as CORE
from tests.cases._services_settings import CASES as SETTINGS
from tests.harness import Case

CASES: dict[str, list[Case]] = {**CORE, **SETTINGS}
