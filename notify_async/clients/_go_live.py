"""The body of the "next steps of a go-live request" e-mail sent to an organisation member.

The original admin app rendered this text with Flask's ``render_template`` from an admin Jinja
template that also read the logged-in user, the current service and an absolute admin URL. The
SDK knows none of those, so the text is produced by a *renderer*: a callable the caller supplies
(:meth:`~notify_async.clients.organisations.OrganisationsClient.use_next_steps_renderer`), or
:func:`default_next_steps_body`, a plain framework-neutral text built from the method's own
arguments.
"""

from __future__ import annotations

from typing import Protocol


class NextStepsRenderer(Protocol):
    """Renders the markdown body of the next-steps e-mail from the method's arguments."""

    def __call__(
        self,
        *,
        service_id: str,
        service_name: str,
        check_if_unique: bool,
        unclear_service_name: bool,
    ) -> str:
        """Return the e-mail body (Notify markdown)."""
        ...


_UNIQUE_SECTION = (
    "## Check the service name is unique\n\n"
    "Make sure no other service in your organisation already uses this name, so that "
    "recipients can tell the services apart."
)
_UNCLEAR_SECTION = (
    "## Make the service name clear\n\n"
    "The name should tell recipients who the messages are from and what they are about. "
    "Ask the team to change it in the service's settings before it goes live."
)


def default_next_steps_body(
    *,
    service_id: str,
    service_name: str,
    check_if_unique: bool,
    unclear_service_name: bool,
) -> str:
    """A neutral next-steps body naming the service and the concerns flagged.

    It has no greeting by name, requester contact or admin link (the SDK does not know them);
    supply your own renderer when the e-mail needs those.
    """
    concerns = []
    if check_if_unique:
        concerns.append("the service name might not be unique")
    if unclear_service_name:
        concerns.append("the service name might not be clear to recipients")
    parts = [f"You have been asked to review the request to make '{service_name}' live."]
    if concerns:
        parts.append(
            "These concerns were flagged:\n\n" + "\n".join(f"* {c}" for c in concerns)
        )
    parts.append(
        "Contact the team member who sent the request to agree what to do next."
    )
    if check_if_unique:
        parts.append(_UNIQUE_SECTION)
    if unclear_service_name:
        parts.append(_UNCLEAR_SECTION)
    parts.append(
        f"When you are ready, approve or reject the request for service {service_id} "
        "on GOV.UK Notify.\n\nThanks\n\nGOV.UK Notify team"
    )
    return "\n\n".join(parts)
