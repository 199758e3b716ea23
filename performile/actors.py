"""Who a service acts for: `Actor`, the type of every service's `actor` argument.

A person is their user (`request.user`, a Discord member's staff user...); a
system (a webshop delivery, a courier poll, a scheduled task) is None and names
itself in the `actor_label` beside it ("Shopify", "PostNord tracking").
`AnonymousUser` is in the type because `request.user` is typed so; services
write it down as no user, like a system.

A type alias, not a Protocol: the services store the actor in foreign keys and
filter memberships by it, so it must be the user model itself. The project keeps
Django's `auth.User` (no AUTH_USER_MODEL); the import is for type checkers only,
so that importing this module never needs the app registry.
"""

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

Actor: TypeAlias = "User | AnonymousUser | None"
