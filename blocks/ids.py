"""Every action_id, block_id, callback_id and command name, defined once.

Button values carry ids only (a meeting or pair id); every handler re-checks them in the store.
"""

COMMAND = "/oneonone"

# Message shortcut "Add to 1:1 agenda" (manifest.yml names the same callback_id).
SHORTCUT_ADD_TO_AGENDA = "add_to_agenda"

# Buttons and other interactive elements (action_id).
ADD_POINT = "add_point"  # value: pair id ("" when the person must pick the 1:1 in the modal)
ADD_QUESTION = "add_question"  # value: "<pair id>:<question key>"
TICK_POINT = "tick_point"  # checkboxes; option value: "<meeting id>:<talking point id>"
SKIP = "skip_meeting"  # value: meeting id -> modal suggesting to reschedule instead
RESCHEDULE = "reschedule_meeting"  # value: meeting id -> reschedule modal
PAUSE = "pause_pair"  # value: pair id -> pause modal
END = "end_pair"  # value: pair id -> confirmation
END_CONFIRM = "end_pair_confirm"  # value: pair id
END_CANCEL = "end_pair_cancel"  # value: pair id
CHOOSE_PAIR = "choose_pair"  # value: "<pair id>:<DM channel id>:<message ts>"
SCHEDULE_OPEN = "schedule_open"  # opens the scheduling modal
TAKE_NOTES = "take_notes"  # value: meeting id -> notes modal
ITEM_DONE = "action_item_done"  # value: action item id
ITEM_SNOOZE = "action_item_snooze"  # value: action item id (due date a week later)
DROP_POINT = "drop_point"  # value: talking point id (its author drops a carried-over point)
HUDDLE_NOTES = "huddle_notes"  # value: huddle follow-up id -> notes modal
HUDDLE_DISMISS = "huddle_dismiss"  # value: huddle follow-up id
NOTES_ADD_ITEM = "notes_add_item"  # in the notes modal: one more action item row
NOTES_REMOVE_ITEM = "notes_remove_item"  # in the notes modal; value: the row's key
PAIR_NOTES = "pair_notes"  # value: pair id -> notes modal of its current (or last) meeting
SHOW_SUMMARY = "show_summary"  # value: meeting id -> a modal with its summary
HELP_MORE = "help_more"  # the short help's "More": every subcommand
NOT_MET = "not_met"  # value: meeting id ("We didn't meet", on a summary with nothing in it)
HOME_PAGE = "home_page"  # value: page number of the Home tab's 1:1 sections
# "Export my data" (the Home tab; the deletion flow offers it too): value a pair id, "" for all
EXPORT = "export_data"
DELETE_MY_DATA = "delete_my_data"  # opens the confirmation modal (counts, export first)
DELETE_HISTORY = "delete_history"  # value: pair id (ends it if need be; 7 days' grace)
OBJECT_DELETION = "object_deletion"  # value: pair id (cancels the requested deletion)
CALENDAR_NEW_LINK = "calendar_new_link"  # a new secret feed URL (the old one stops working)
CALENDAR_FILE = "calendar_file"  # the .ics of all the clicker's 1:1s, in their DM

# Modals (callback_id).
# private_metadata: {"pair": id|null, "origin": key|null, "source"?: {"url", "channel"}}
ADD_POINT_MODAL = "add_point_modal"
SCHEDULE_MODAL = "schedule_modal"
RESCHEDULE_MODAL = "reschedule_modal"  # private_metadata: meeting id
SKIP_MODAL = "skip_modal"  # private_metadata: meeting id
PAUSE_MODAL = "pause_modal"  # private_metadata: pair id
SUMMARY_MODAL = "summary_modal"  # read-only
DELETE_MY_DATA_MODAL = "delete_my_data_modal"  # submit: delete the clicker's private data
NOTES_MODAL = "notes_modal"  # private_metadata: {"meeting": id, "version": n, "rows": [key…]}

# Input blocks of the add-a-talking-point modal (block_id; the action_id inside is "value").
POINT_TEXT = "point_text"
POINT_PRIVATE = "point_private"
POINT_PAIR = "point_pair"

# Input blocks of the scheduling modal.
SCHEDULE_PERSON = "schedule_person"
SCHEDULE_WEEKDAY = "schedule_weekday"
SCHEDULE_TIME = "schedule_time"
SCHEDULE_CADENCE = "schedule_cadence"
SCHEDULE_DURATION = "schedule_duration"
SCHEDULE_TIMEZONE = "schedule_timezone"
SCHEDULE_PROMPT_LEAD = "schedule_prompt_lead"
SCHEDULE_AGENDA_LEAD = "schedule_agenda_lead"

# Input blocks of the reschedule and pause modals.
RESCHEDULE_DATE = "reschedule_date"
RESCHEDULE_TIME = "reschedule_time"
PAUSE_UNTIL = "pause_until"

# Input blocks of the notes modal; action item rows add ":<row key>" ("i<id>" or "n<k>").
NOTES_POINTS = "notes_points"  # ":<n>" per checkbox group of up to 10 talking points
NOTES_SHARED = "notes_shared"
NOTES_PRIVATE = "notes_private"
ITEM_TEXT = "item_text"
ITEM_OWNER = "item_owner"
ITEM_DUE = "item_due"
ITEM_ROW = "item_row"  # the actions block with a row's "Remove" button

# Every input element's action_id (one per input block, so state is values[block]["value"]).
VALUE = "value"

# A series' settings (blocks/settings.py, handlers/settings.py).
SETTINGS_OPEN = "settings_open"  # value: pair id -> the settings modal
# private_metadata: {"pair": id, "rows": [key…], "shown": {id: [print, cadence]}, "order": [id…]}
SETTINGS_MODAL = "settings_modal"
STANDING_ADD = "standing_add"  # in the settings modal: one more standing item row
STANDING_UP = "standing_up"  # value: the row's key ("s<id>" saved, "n<k>" new)
STANDING_DOWN = "standing_down"  # value: the row's key
STANDING_REMOVE = "standing_remove"  # value: the row's key
STANDING_TICK = "standing_tick"  # checkboxes on the agenda; value: "<meeting id>:<item id>"
SETTINGS_WEEKDAY = "settings_weekday"
SETTINGS_TIME = "settings_time"
SETTINGS_CADENCE = "settings_cadence"
SETTINGS_DURATION = "settings_duration"
SETTINGS_PROMPT_LEAD = "settings_prompt_lead"
SETTINGS_AGENDA_LEAD = "settings_agenda_lead"
SETTINGS_CHECKINS = "settings_checkins"  # checkboxes: "report", "manager"
SETTINGS_LANGUAGE = "settings_language"  # "" (the manager's), "en", "de"
SETTINGS_HAND_TO = "settings_hand_to"  # users_select: the new manager
SETTINGS_HAND_CONFIRM = "settings_hand_confirm"  # checkboxes: "yes" (required with a new manager)
STANDING_TEXT = "standing_text"  # ":<row key>"
STANDING_CADENCE = "standing_cadence"  # ":<row key>"
STANDING_ROW = "standing_row"  # ":<row key>": the row's move and remove buttons
