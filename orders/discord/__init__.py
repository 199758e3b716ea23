"""The Discord order desk: slash commands over the Interactions HTTP endpoint.

- `verify`: Ed25519 signatures (PyNaCl) and the timestamp window;
- `interactions`: the endpoint, which verifies, finds the linked store and hands
  the command to its module in `commands/`;
- `invocation`: who asked, where, with what permissions and options;
- `replies`: the answers (ephemeral messages, embeds, the errors of the guide);
- `dms`: direct messages and roles through the outbox;
- `definitions`: the command definitions `manage.py discord_register_commands` sends.
"""
