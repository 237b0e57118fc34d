"""Every action_id, block_id, callback_id and command name, defined once."""

COMMAND = "/oneonone"

# Message shortcut "Add to 1:1 agenda" (manifest.yml names the same callback_id).
SHORTCUT_ADD_TO_AGENDA = "add_to_agenda"
