"""`/oneonone export [@person]` and the Home tab's "Export my data": everything the person
may see of their 1:1s, as Markdown and a CSV of the action items, in their DM with the bot.

Runs after the ack: the store is read one page of meetings at a time, each in its own short
read transaction, into temporary files; no session is open while Slack is called. Each
uploaded file is recorded (store/files.py) so that deleting the person's data can delete it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from slack_sdk.errors import SlackApiError

from blocks import export as files
from blocks.export import Reader
from blocks.i18n import N_, _
from blocks.messages import notice
from handlers.context import Deps, Tell
from handlers.people import bot_dm, display_name, time_zone
from store.access import Invalid
from store.export import PAGE_SIZE, export_page, export_pairs
from store.files import EXPORT, record_uploaded_files
from store.views import ExportedMeeting, ExportedPair

PREPARING = N_("Preparing your export… it arrives in our DM in a moment.")
NO_SCOPE = N_(
    "Exports are unavailable in this workspace until oneonone is reinstalled with permission "
    "to upload files (`files:write`). Please ask whoever runs oneonone for your workspace to "
    "reinstall it."
)
UPLOADS_REFUSED = N_(
    "Your workspace does not let oneonone upload this file (Slack said `{error}`), so I "
    "couldn't send your export."
)
TOO_LARGE = N_(
    "Your history is too large for one export ({files}+ files). Export one 1:1 at a time, "
    "e.g. `/oneonone export @person`."
)
UPLOAD_REFUSALS = frozenset(
    {
        "file_uploads_disabled",
        "file_upload_size_restricted",
        "file_uploads_except_images_disabled",
        "file_type_not_allowed",
    }
)


def export(
    deps: Deps, *, tell: Tell, person_id: str | None = None, pair_id: int | None = None
) -> None:
    """Send the actor their export: all their 1:1s, those with `person_id`, or `pair_id`."""
    with deps.db.read() as session:
        pairs = export_pairs(session, deps.actor, person_id=person_id, pair_id=pair_id)
    tell(_(PREPARING))
    reader = _reader(deps, pairs)
    with tempfile.TemporaryDirectory(prefix="oneonone-export-") as folder:
        written = _write(deps, pairs, reader, Path(folder))
        comment = files.export_comment(pairs=len(pairs), meetings=written.meetings)
        try:
            _upload(deps, written.paths, comment)
        except SlackApiError as error:
            code = error.response.get("error")
            if code == "missing_scope":
                tell(_(NO_SCOPE))
            elif code in UPLOAD_REFUSALS:
                tell(_(UPLOADS_REFUSED).format(error=code))
            else:
                raise


def tell_in_dm(deps: Deps) -> Tell:
    """Tell the actor something ephemerally in their DM with the bot (where the file lands)."""

    def tell(text: str) -> None:
        channel = bot_dm(deps.db, deps.client, deps.actor.team_id, deps.actor.user_id)
        deps.client.chat_postEphemeral(channel=channel, user=deps.actor.user_id, **notice(text))

    return tell


def _reader(deps: Deps, pairs: list[ExportedPair]) -> Reader:
    """The reader's zone and everyone's display name (stored profiles; no session open)."""
    people = {deps.actor.user_id} | {p for pair in pairs for p in (pair.manager_id, pair.report_id)}
    names = {user_id: display_name(deps, user_id) for user_id in sorted(people)}
    return Reader(
        user_id=deps.actor.user_id,
        zone=time_zone(deps, deps.actor.user_id),
        now=deps.now(),
        names=names,
    )


@dataclass
class _Written:
    paths: list[Path]
    meetings: int


def _write(deps: Deps, pairs: list[ExportedPair], reader: Reader, folder: Path) -> _Written:
    """Every pair's meetings, page by page, into the Markdown and CSV files."""
    other = reader.names.get(pairs[0].other_id) if len({p.other_id for p in pairs}) == 1 else None
    stem = files.file_stem(reader, other)
    markdown = _Files(folder, stem, ".md", lambda n: files.document_head(reader, part=n))
    table = _Files(folder, f"{stem}-action-items", ".csv", lambda _n: files.csv_head())
    meetings = 0
    for pair in pairs:
        markdown.begin_section(
            files.pair_head(pair, reader), files.pair_head(pair, reader, continued=True)
        )
        count = 0
        for page in _pages(deps, pair):
            for meeting in page:
                markdown.add(files.meeting_markdown(meeting, reader))
                if meeting.action_items:
                    table.add(files.csv_text(files.csv_rows(pair, meeting, reader)))
            count += len(page)
        if not count:
            markdown.add(_(files.NO_MEETINGS))
        meetings += count
    return _Written(paths=markdown.close() + table.close(), meetings=meetings)


def _pages(deps: Deps, pair: ExportedPair) -> Iterator[list[ExportedMeeting]]:
    """The pair's meetings a page at a time, each page read in its own short transaction."""
    after = None
    while True:
        with deps.db.read() as session:
            page = export_page(
                session, deps.actor, pair.pair_id, now=deps.now(), after=after, limit=PAGE_SIZE
            )
        yield page.meetings
        if page.after is None:
            return
        after = page.after


@dataclass
class _Files:
    """Text written to numbered files of at most FILE_BYTES_MAX each, split between chunks;
    a new file starts with `head(n)` and the current section's heading again."""

    folder: Path
    stem: str
    suffix: str
    head: Callable[[int], str]
    paths: list[Path] = field(default_factory=list)
    _out: IO[bytes] | None = None
    _used: int = 0
    _has_body: bool = False
    _again: str = ""

    def begin_section(self, heading: str, again: str) -> None:
        """Start a section (a 1:1): its heading now, `again` atop each later file."""
        self.add(heading, body=False)
        self._again = again

    def add(self, chunk: str, *, body: bool = True) -> None:
        """Append a chunk (never split across files)."""
        data = chunk.encode("utf-8")
        if self._out is None or files.starts_new_file(
            self._used, len(data), has_body=self._has_body, limit=files.FILE_BYTES_MAX
        ):
            self._next_file()
        assert self._out is not None
        self._out.write(data)
        self._used += len(data)
        self._has_body = self._has_body or body

    def _next_file(self) -> None:
        if len(self.paths) >= files.FILES_MAX:
            raise Invalid(TOO_LARGE, files=str(files.FILES_MAX))
        self._finish()
        path = self.folder / files.file_name(self.stem, len(self.paths) + 1, self.suffix)
        self.paths.append(path)
        self._out = path.open("wb")
        opening = (self.head(len(self.paths)) + self._again).encode("utf-8")
        self._out.write(opening)
        self._used, self._has_body = len(opening), False

    def close(self) -> list[Path]:
        """Close the current file; every file written (one at least)."""
        if not self.paths:
            self._next_file()
        self._finish()
        return list(self.paths)

    def _finish(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None


def _upload(deps: Deps, paths: list[Path], comment: str) -> None:
    """Share the files in the actor's DM, UPLOAD_BATCH a message; each batch is recorded as
    soon as Slack has it (so a later failure leaves nothing unrecorded)."""
    channel = bot_dm(deps.db, deps.client, deps.actor.team_id, deps.actor.user_id)
    for start in range(0, len(paths), files.UPLOAD_BATCH):
        batch = paths[start : start + files.UPLOAD_BATCH]
        response = deps.client.files_upload_v2(
            channel=channel,
            file_uploads=[{"file": str(p), "filename": p.name, "title": p.name} for p in batch],
            initial_comment=comment if start == 0 else _(files.CONTINUED),
        )
        uploaded = [(str(f["id"]), p.name) for f, p in zip(response["files"], batch, strict=True)]
        with deps.db() as session:
            record_uploaded_files(
                session, deps.actor, uploaded, channel_id=channel, kind=EXPORT, now=deps.now()
            )
