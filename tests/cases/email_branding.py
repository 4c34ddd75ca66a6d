"""Cases for ``notify.email_branding``."""

from __future__ import annotations

from tests.cases._answers import no_content
from tests.harness import Case, Req

_EMPTY = {"logo": "", "alt_text": "", "text": "", "colour": ""}

CASES: dict[str, list[Case]] = {
    "archive_email_branding": [no_content()],
    # Fixed: the canonical trailing-slash path, not the 308 redirect the original relied on.
    "get_email_branding_name_for_alt_text": [
        Case(
            args=("Department for Example",),
            requests=[
                Req(
                    "POST",
                    "/email-branding/get-name-for-alt-text/",
                    body={"alt_text": "Department for Example"},
                )
            ],
            id="trailing-slash",
        )
    ],
    "create_email_branding": [
        Case(id="values"),
        # Empty logo / alt_text / text / colour are sent as null.
        Case(kwargs=_EMPTY, id="empty-values-sent-as-null"),
    ],
    "update_email_branding": [
        Case(id="values"),
        # Unlike create, an empty alt_text is sent unchanged (the catalogue expression says so).
        Case(kwargs=_EMPTY, id="empty-alt-text-kept"),
    ],
}
