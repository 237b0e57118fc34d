"""Files the bot uploaded for a person (their exports): recorded when uploaded, listed so
that deleting their data can delete the files from Slack too."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from store.access import Actor
from store.models import UploadedFile
from store.views import UploadedFileView

EXPORT = "export"  # the kind of an export's files


def record_uploaded_files(
    session: Session,
    actor: Actor,
    files: Sequence[tuple[str, str]],
    *,
    channel_id: str,
    kind: str,
    now: datetime,
) -> None:
    """Remember files (Slack file id, file name) uploaded for the actor into `channel_id`."""
    for file_id, filename in files:
        session.add(
            UploadedFile(
                team_id=actor.team_id,
                user_id=actor.user_id,
                file_id=file_id,
                channel_id=channel_id,
                kind=kind,
                filename=filename[:255],
                created_at=now,
            )
        )
    session.commit()


def list_uploaded_files(session: Session, actor: Actor) -> list[UploadedFileView]:
    """The files uploaded for the actor in their workspace, oldest first."""
    query = (
        select(UploadedFile)
        .where(UploadedFile.team_id == actor.team_id, UploadedFile.user_id == actor.user_id)
        .order_by(col(UploadedFile.created_at), col(UploadedFile.id))
    )
    return [
        UploadedFileView(
            file_id=f.file_id,
            channel_id=f.channel_id,
            filename=f.filename,
            kind=f.kind,
            created_at=f.created_at,
        )
        for f in session.exec(query).all()
    ]


def uploaded_file_ids(
    session: Session, team_id: str, user_ids: Sequence[str], *, kinds: Sequence[str] | None = None
) -> list[str]:
    """The Slack ids of every file uploaded for these people (to delete them from Slack), or
    of those of `kinds`."""
    query = select(UploadedFile.file_id).where(
        UploadedFile.team_id == team_id, col(UploadedFile.user_id).in_(list(user_ids))
    )
    if kinds is not None:
        query = query.where(col(UploadedFile.kind).in_(list(kinds)))
    return list(session.exec(query).all())


def forget_uploaded_files(session: Session, team_id: str, file_ids: Sequence[str]) -> None:
    """The files are deleted from Slack: their records go too (the caller commits)."""
    if file_ids:
        session.execute(
            delete(UploadedFile).where(
                col(UploadedFile.team_id) == team_id, col(UploadedFile.file_id).in_(list(file_ids))
            )
        )
