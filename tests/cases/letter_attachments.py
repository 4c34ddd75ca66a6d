"""Cases for ``notify.letter_attachments``."""

from __future__ import annotations

from tests.cases._answers import no_content
from tests.harness import Case

CASES: dict[str, list[Case]] = {
    "archive_letter_attachment": [no_content()],
}
