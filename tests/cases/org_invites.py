"""Cases for ``notify.org_invites``."""

from __future__ import annotations

from tests.cases._answers import a_data_list
from tests.harness import Case

CASES: dict[str, list[Case]] = {
    "get_invites_for_organisation": [a_data_list()],
}
