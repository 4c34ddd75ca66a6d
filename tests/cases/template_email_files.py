"""Cases for ``notify.template_email_files``."""

from __future__ import annotations

from tests.harness import Case

CASES: dict[str, list[Case]] = {
    "create_file": [
        Case(id="defaults"),
        # create_file coerces validate_users_email with bool(); update_file sends it as given.
        Case(
            kwargs={"retention_period": 52, "validate_users_email": 0},
            id="retention-and-falsy-check",
        ),
    ],
    "update_file": [
        Case(
            kwargs={
                "link_text": "Download the form",
                "retention_period": 10,
                "validate_users_email": False,
                "pending": True,
            },
            id="all-fields",
        ),
    ],
}
