"""The slash commands, by name: each takes an Invocation, reads its options, calls
its one service (`orders.discord.services`) and returns the answer."""

from orders.discord.commands import add, listing, track, update

COMMANDS = {
    "trackorder": track.trackorder,
    "addorder": add.addorder,
    "updateorder": update.updateorder,
    "listorders": listing.listorders,
}
