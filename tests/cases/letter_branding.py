"""Cases for ``notify.letter_branding``."""

from __future__ import annotations

from tests.cases._answers import a_list
from tests.harness import Case, Req

CASES: dict[str, list[Case]] = {
    "get_all_letter_branding": [a_list()],
    # Fixed: the canonical trailing-slash path, not the 308 redirect the original relied on.
    "get_unique_name_for_letter_branding": [
        Case(
            args=("HM Example",),
            requests=[
                Req("POST", "/letter-branding/get-unique-name/", body={"name": "HM Example"})
            ],
            id="trailing-slash",
        )
    ],
}
