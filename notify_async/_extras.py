"""The error for a feature whose optional extra is not installed."""

from __future__ import annotations


def missing_extra(extra: str, feature: str, error: ModuleNotFoundError) -> ImportError:
    """An :class:`ImportError` saying which extra to install for ``feature``, e.g.
    ``pip install 'notify-async[redis]'``; raise it ``from error``."""
    return ImportError(
        f"{feature} needs the {extra!r} extra (module {error.name!r} is missing): "
        f"pip install 'notify-async[{extra}]'",
        name=error.name,
    )
