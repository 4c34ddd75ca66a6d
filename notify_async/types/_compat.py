"""``TypedDict`` and ``TypeAliasType`` from where both type checkers and runtime validators
read them correctly (pydantic, for one, wants ``typing_extensions.TypedDict`` before Python
3.12)."""

from __future__ import annotations

import sys
from typing import NotRequired

if sys.version_info >= (3, 12):
    from typing import TypeAliasType, TypedDict
else:
    from typing_extensions import TypeAliasType, TypedDict

__all__ = ["NotRequired", "TypeAliasType", "TypedDict"]
