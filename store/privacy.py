"""The one privacy rule (store.views.may_see) in SQL: which talking points and notes a viewer
may see. Who is in the pair is checked first, by store/access.py."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col

from store.models import Note, TalkingPoint


def points_visible_to(viewer_id: str | None) -> ColumnElement[bool]:
    """Talking points `viewer_id` may see (None: a shared surface, shared points only)."""
    return _visible(viewer_id, col(TalkingPoint.is_private), col(TalkingPoint.author_id))


def notes_visible_to(viewer_id: str | None) -> ColumnElement[bool]:
    """Notes `viewer_id` may see: the shared notes, and their own private notes."""
    return _visible(viewer_id, col(Note.is_private), col(Note.owner_id))


def _visible(viewer_id: str | None, is_private: Any, author: Any) -> ColumnElement[bool]:
    """`is_private` and `author`: the two columns of a talking point or a note."""
    shared: ColumnElement[bool] = is_private.is_(False)
    if viewer_id is None:
        return shared
    return or_(shared, and_(is_private.is_(True), author == viewer_id))
