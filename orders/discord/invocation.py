"""One slash command as Discord sent it: who, where, what, with which options."""

from dataclasses import dataclass, field

from orders.models import DiscordGuild

MANAGE_GUILD = 1 << 5
ADMINISTRATOR = 1 << 3


@dataclass(frozen=True)
class DiscordUser:
    id: str
    username: str = ""
    global_name: str = ""

    @property
    def display(self) -> str:
        return self.global_name or self.username or self.id

    @property
    def label(self) -> str:
        """How the audit trail names them when they are no staff member of ours."""
        name = self.username or self.global_name
        return f"Discord user {name} ({self.id})" if name else f"Discord user {self.id}"

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass(frozen=True)
class Invocation:
    guild: DiscordGuild
    command: str
    caller: DiscordUser
    permissions: int
    options: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)  # resolved users by id
    token: str = ""
    application_id: str = ""
    locale: str = ""  # the caller's Discord client language, e.g. "sv-SE"

    @property
    def may_manage(self) -> bool:
        """The Manage Server permission (administrators have every permission)."""
        return bool(self.permissions & (MANAGE_GUILD | ADMINISTRATOR))

    @property
    def store(self):
        return self.guild.store

    def option(self, name: str, default=None):
        return self.options.get(name, default)

    def user_option(self, name: str) -> DiscordUser | None:
        user_id = self.options.get(name)
        if not user_id:
            return None
        return self.users.get(str(user_id)) or DiscordUser(id=str(user_id))


# The types of an option's value Discord documents (string, integer, number,
# boolean, and ids as strings); None for an option sent without one.
OPTION_VALUES = (str, int, float, bool, type(None))


def from_payload(payload: dict, guild: DiscordGuild) -> Invocation:
    """The invocation in `payload` (an APPLICATION_COMMAND interaction). Raises
    ValueError when it is not shaped as Discord documents."""
    data = payload.get("data")
    if not isinstance(data, dict) or not data.get("name"):
        raise ValueError("data.name is missing.")
    member = _object(payload, "member")
    user = member.get("user") or payload.get("user")
    if not isinstance(user, dict) or not user.get("id"):
        raise ValueError("The invoking user is missing.")
    try:
        permissions = int(member.get("permissions") or 0)
    except (TypeError, ValueError) as exc:
        raise ValueError("member.permissions is not a bitfield.") from exc
    options = data.get("options") or []
    if not isinstance(options, list):
        raise ValueError("data.options is not a list.")
    options = {
        str(option["name"]): option.get("value")
        for option in options
        if isinstance(option, dict) and "name" in option
    }
    if not all(isinstance(value, OPTION_VALUES) for value in options.values()):
        raise ValueError("An option's value is not a string, number or boolean.")
    resolved = _object(_object(data, "resolved"), "users")
    users = {
        str(user_id): _user(value)
        for user_id, value in resolved.items()
        if isinstance(value, dict)
    }
    return Invocation(
        guild=guild,
        command=str(data["name"]),
        caller=_user(user),
        permissions=permissions,
        options=options,
        users=users,
        token=str(payload.get("token") or ""),
        application_id=str(payload.get("application_id") or ""),
        locale=str(payload.get("locale") or ""),
    )


def _object(payload: dict, key: str) -> dict:
    value = payload.get(key)
    return value if isinstance(value, dict) else {}


def _user(value: dict) -> DiscordUser:
    return DiscordUser(
        id=str(value.get("id") or ""),
        username=str(value.get("username") or ""),
        global_name=str(value.get("global_name") or ""),
    )
