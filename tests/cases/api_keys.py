"""Cases for ``notify.api_keys``."""

from __future__ import annotations

from tests.cases._answers import no_content
from tests.harness import Case

CASES: dict[str, list[Case]] = {
    "create_api_key": [Case(response={"data": "the-new-secret"}, id="secret")],
    "revoke_api_key": [no_content()],
}
