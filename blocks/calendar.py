"""What `/oneonone calendar` answers: the secret feed URL (shown once), the state of the
link when there is one, why there is no feed (Socket Mode, no public address), and the
line that goes with the file of all of a person's 1:1s."""

from __future__ import annotations

from typing import Any

from blocks import ids
from blocks.format import slack_date
from blocks.i18n import _, ngettext
from blocks.kit import Block, actions, button, confirm_dialog, context, message, section
from store.calendar_views import FeedLink

SOCKET_MODE = "socket_mode"  # why there is no feed: the bot serves no HTTP
NO_PUBLIC_URL = "no_public_url"  # the bot serves HTTP, but nobody told it its address


def _file_button() -> Block:
    return actions(button(_("Send me the file"), ids.CALENDAR_FILE, style="primary"))


def _new_link_buttons() -> Block:
    """ "New link" (it revokes the link a calendar may use: Slack asks first) and the file."""
    sure = confirm_dialog(
        _("Make a new link?"),
        _("The one your calendar uses now stops working."),
        _("Make a new link"),
        _("Keep the old one"),
    )
    new_link = button(_("New link"), ids.CALENDAR_NEW_LINK, confirm=sure)
    return actions(new_link, button(_("Send me a file instead"), ids.CALENDAR_FILE))


def feed_url_message(url: str) -> dict[str, Any]:
    """A new secret feed URL, shown this once, with how to subscribe to it."""
    head = _("📅 *Your calendar feed* — subscribe to this address in your calendar app:")
    blocks = [
        section(f"{head}\n```{url}```"),
        section(
            _(
                "It holds all your 1:1s and follows every skip, move, pause and end. It is "
                "what your calendar should trust: once your calendar reads it, I stop sending "
                "you .ics files, so remove any 1:1s you imported from them (or they show "
                "twice)."
            )
        ),
        context(
            _(
                "Google Calendar: Other calendars → + → From URL · Outlook: Add calendar → "
                "Subscribe from web · Apple Calendar: File → New Calendar Subscription"
            )
        ),
        context(
            _(
                "🔒 Keep it to yourself: whoever has it sees when your 1:1s are. I keep only a "
                "fingerprint of it, so I can't show it again. Lost it? `/oneonone calendar` "
                "offers a new one (this one then stops working)."
            )
        ),
        actions(button(_("Send me a file instead"), ids.CALENDAR_FILE)),
    ]
    return message(_("Your calendar feed"), blocks)


def feed_exists_message(link: FeedLink) -> dict[str, Any]:
    """The person has a feed link already: when it was made and last read (never the URL)."""
    made = slack_date(link.created_at)
    if link.read_at is None:
        state = _("You made your calendar feed link {made}; no calendar has read it yet.")
    else:
        state = _("You made your calendar feed link {made}; a calendar last read it {read}.")
    text = state.format(made=made, read=slack_date(link.read_at) if link.read_at else "")
    blocks = [
        section(f"📅 {text}"),
        context(
            _(
                "I keep only a fingerprint of it, so I can't show it again. Lost it? "
                '"New link" makes another, and the old one stops working.'
            )
        ),
        _new_link_buttons(),
    ]
    return message(_("Your calendar feed"), blocks)


def no_feed_message(reason: str) -> dict[str, Any]:
    """There is no feed to subscribe to: the file instead; why, for whoever runs oneonone,
    in small print."""
    head = _(
        "📅 Calendar subscriptions aren't set up for this workspace — here is the file instead."
    )
    offer = _(
        "Open the file of all your 1:1s to add them to your calendar. I also send you a new "
        "file whenever one of them changes."
    )
    if reason == SOCKET_MODE:
        why = _(
            "For whoever runs oneonone: a calendar feed needs it to answer over the web, and "
            "here it runs in Socket Mode (it serves nothing to the internet)."
        )
    else:
        why = _(
            "For whoever runs oneonone: set its public address (`ONEONONE_PUBLIC_URL`) to "
            "offer calendar subscriptions."
        )
    blocks = [section(f"{head}\n{offer}"), _file_button(), context(why)]
    return message(_("No calendar feed here"), blocks)


def all_file_comment(count: int) -> str:
    """The line that goes with the file of all the person's 1:1s."""
    return ngettext(
        "📅 Your {count} running 1:1, for your calendar: open the file to add it.",
        "📅 Your {count} running 1:1s, for your calendar: open the file to add them.",
        count,
    ).format(count=count)


def no_series_text() -> str:
    """The person has no running 1:1 to put in a calendar."""
    return _("You have no running 1:1s to put in a calendar. Start one with `/oneonone schedule`.")


def file_refused_text(error: str) -> str:
    """Slack would not take the file (uploads off, or no `files:write`)."""
    return _(
        "I couldn't send the file: Slack said `{error}`. Please ask whoever runs oneonone for "
        "your workspace."
    ).format(error=error)
