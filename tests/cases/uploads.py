"""Cases for ``notify.uploads``."""

from __future__ import annotations

from tests.harness import Case

CASES: dict[str, list[Case]] = {
    "get_letters_by_service_and_print_day": [
        Case(kwargs={"letter_print_day": "2024-04-02"}, id="first-page"),
        Case(kwargs={"letter_print_day": "2024-04-02", "page": 3}, id="page"),
    ],
}
