"""Cases for ``notify.protected_sender_ids``."""

from __future__ import annotations

from tests.cases._answers import a_value
from tests.harness import Case

CASES: dict[str, list[Case]] = {
    "get_check_sender_id": [a_value(True), a_value(False)],
}
