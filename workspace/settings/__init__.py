"""Settings for a merchant's admins (`/settings/`): the business, its stores and
webshop connections, courier accounts, messaging channels, the billing profile,
Discord servers and the team. Only the merchant's admins reach them; anyone
else, the merchant's staff included, gets 404 (docs/workspace.md)."""
