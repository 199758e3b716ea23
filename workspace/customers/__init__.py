"""The customer directory (/customers/): the merchant's customers, their orders,
balance and portal access, with invitations and merges (docs/workspace.md)."""
