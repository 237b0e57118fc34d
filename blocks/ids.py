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

# Modals (callback_id).
ADD_POINT_MODAL = "add_point_modal"  # private_metadata: {"pair": id|null, "origin": key|null}
SCHEDULE_MODAL = "schedule_modal"
RESCHEDULE_MODAL = "reschedule_modal"  # private_metadata: meeting id
SKIP_MODAL = "skip_modal"  # private_metadata: meeting id
PAUSE_MODAL = "pause_modal"  # private_metadata: pair id

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

# Every input element's action_id (one per input block, so state is values[block]["value"]).
VALUE = "value"
