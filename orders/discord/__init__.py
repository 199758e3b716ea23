"""The Discord order desk: slash commands over the Interactions HTTP endpoint.

- `verify`: the signature headers and the timestamp window (the Ed25519 check is
  `performile.webhooks.ed25519_signature_matches`);
- `interactions`: the endpoint, which verifies, finds the linked store and hands
  the command to its module in `commands/`;
- `invocation`: who asked, where, with what permissions and options;
- `commands/`: one module per command: reads the options, calls the command's one
  service, renders the answer;
- `services/`: the use cases, one per command (`discord_order_track`,
  `discord_orders_list`, `discord_order_add`, `discord_order_update`): who may,
  what checks out, the writes through `orders.services`, the audit, the DMs;
- `selectors`: the orders a command reads, from the access rules in `access`;
- `refusals`: why a command is refused (`Refused`, the guide's error messages);
- `replies`: the answers (ephemeral messages, embeds, errors);
- `dms`: direct messages and roles through the outbox;
- `definitions`: the command definitions `manage.py discord_register_commands` sends.
"""
