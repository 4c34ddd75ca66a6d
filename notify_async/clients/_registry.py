"""The facade's domains: each is one ``SubClient`` line in :class:`~notify_async.NotifyAdminClient`.

That class body is the only list of the 31 domains. Everything else that needs them - the tests,
the blocking facade, the docs - reads :func:`domains`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, overload

from notify_async.clients._base import BaseClient

if TYPE_CHECKING:
    from notify_async.client import NotifyAdminClient

C = TypeVar("C", bound=BaseClient)

#: Which API a domain talks to: the Notify API, or the separate document-download service.
TransportKind = Literal["api", "document_download"]


class SubClient(Generic[C]):
    """A lazily built sub-client attribute of the facade (``notify.services``, ...).

    Built on first access from the facade's transport (``transport`` names which), cache and
    config, then kept in the instance, so later accesses are plain attribute reads.
    """

    def __init__(self, client_class: type[C], *, transport: TransportKind = "api") -> None:
        self.client_class = client_class
        self.transport: TransportKind = transport
        self.name = ""
        self.__doc__ = f"{client_class.__name__} methods."

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> SubClient[C]: ...

    @overload
    def __get__(self, instance: NotifyAdminClient, owner: type[Any]) -> C: ...

    def __get__(self, instance: NotifyAdminClient | None, owner: type[Any]) -> SubClient[C] | C:
        if instance is None:
            return self
        client = self.client_class(
            instance._transport_for(self.transport), instance._cache, instance.config
        )
        instance.__dict__[self.name] = client  # later reads skip this descriptor
        return client


def domains(facade: type[Any]) -> dict[str, SubClient[Any]]:
    """The facade class's sub-client attributes by name, in declaration order."""
    return {name: value for name, value in vars(facade).items() if isinstance(value, SubClient)}
