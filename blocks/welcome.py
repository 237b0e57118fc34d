"""What the person who installs oneonone reads: the install page, the success and failure
pages (short HTML), the welcome DM, and the note that an installation lacks a scope."""

from __future__ import annotations

from html import escape as html_escape
from typing import Any

from blocks import ids
from blocks.i18n import N_, _
from blocks.kit import actions, button, context, header, message, section
from blocks.text import escape

PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1d1c1d;
  max-width: 34rem; margin: 4rem auto; padding: 0 1.5rem; line-height: 1.5; }}
h1 {{ font-size: 1.6rem; }}
a.button {{ display: inline-block; background: #4a154b; color: #fff; padding: .7rem 1.2rem;
  border-radius: .4rem; text-decoration: none; font-weight: 600; }}
</style>
</head>
<body>
<h1>{title}</h1>
{body}
</body>
</html>
"""

# Why an installation failed, as Bolt's OAuth flow names it, in words for the installer.
FAILURES = {
    "access_denied": N_("The installation was cancelled in Slack, so nothing was installed."),
    "invalid_browser": N_(
        "This installation was started in another browser (or its cookie was blocked), so "
        "it could not be finished here."
    ),
    "invalid_state": N_("This install link has expired or was used already."),
    "missing_code": N_("Slack did not send the installation back to oneonone."),
    "invalid_code": N_(
        "Slack did not accept the installation (the link may have been used already)."
    ),
    "storage_error": N_("oneonone could not save the installation. Please try again in a moment."),
}


def _page(title: str, body: str, language: str) -> str:
    return PAGE.format(lang=html_escape(language), title=html_escape(title), body=body)


def install_page(*, authorize_url: str, language: str = "en") -> str:
    """The page of GET /slack/install: what oneonone does and the "Add to Slack" button."""
    title = _("Add oneonone to Slack")
    body = '<p>{text}</p>\n<p><a class="button" href="{url}">{label}</a></p>'.format(
        text=html_escape(
            _(
                "oneonone keeps every manager's 1:1s with their reports going: a shared "
                "agenda, notes and action items that are followed up."
            )
        ),
        url=html_escape(authorize_url),
        label=html_escape(_("Add to Slack")),
    )
    return _page(title, body, language)


def installed_page(
    *, workspace: str, slack_url: str, language: str = "en", welcomed: bool = True
) -> str:
    """The page after a successful installation: where, where to find it in Slack (and the
    welcome DM, when this installation sent one), and the way back to Slack."""
    title = _("oneonone is installed")
    if welcomed:
        where = _(
            "oneonone is now installed in {workspace}. Look for oneonone under Apps in "
            "Slack's sidebar — I've sent you a welcome DM."
        )
    else:
        where = _(
            "oneonone is now installed in {workspace}. Look for oneonone under Apps in "
            "Slack's sidebar."
        )
    text = where.format(workspace=workspace)
    body = '<p>{text}</p>\n<p><a class="button" href="{url}">{label}</a></p>'.format(
        text=html_escape(text), url=html_escape(slack_url), label=html_escape(_("Open Slack"))
    )
    return _page(title, body, language)


def failed_page(*, reason: str, retry_url: str, language: str = "en") -> str:
    """The page after a failed installation: what went wrong and a link to try again."""
    title = _("oneonone was not installed")
    known = FAILURES.get(reason)
    what = _(known) if known else _("Something went wrong ({reason}).").format(reason=reason)
    body = '<p>{text}</p>\n<p><a class="button" href="{url}">{label}</a></p>'.format(
        text=html_escape(what), url=html_escape(retry_url), label=html_escape(_("Try again"))
    )
    return _page(title, body, language)


def welcome_message(*, installer_id: str) -> dict[str, Any]:
    """The DM to the person who installed oneonone: what it does, and a way to start."""
    title = _("Thanks for adding oneonone!")
    lines = "\n".join(
        (
            _("• Before each 1:1 you and your report are asked for talking points."),
            _("• The agenda is posted in your group DM, open action items first."),
            _("• Notes and action items are captured in a form, and followed up next week."),
        )
    )
    intro = _("Hi <@{user}>, oneonone keeps your 1:1s going:").format(user=escape(installer_id))
    blocks = [
        header(title),
        section(f"{intro}\n{lines}"),
        actions(button(_("Schedule a 1:1"), ids.SCHEDULE_OPEN, style="primary")),
        context(_("Type `/oneonone help` to see everything it can do.")),
    ]
    return message(title, blocks)


def reinstall_message(*, scope: str, install_url: str | None = None) -> dict[str, Any]:
    """The DM to the installer when their installation lacks a scope a feature needs, with
    a link to install again (`install_url`, when the bot knows its public address)."""
    text = _(
        "Some of oneonone's features need a permission this workspace's installation does not "
        "have yet (`{scope}`). Please install oneonone again to grant it — everything you "
        "have stays as it is."
    ).format(scope=escape(scope))
    blocks = [section(text)]
    if install_url:
        link = "<{url}|{label}>".format(url=install_url, label=_("Install oneonone again"))
        blocks.append(section(f"👉 {link}"))
    return message(text, blocks)
