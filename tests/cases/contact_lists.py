"""Cases for ``notify.contact_lists``."""

from __future__ import annotations

from tests.cases._answers import a_list
from tests.harness import Case

CASES: dict[str, list[Case]] = {
    "get_contact_lists": [a_list()],
}
