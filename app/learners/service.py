"""Learner identity: find or create the learner a request belongs to."""

import uuid

from sqlalchemy.orm import Session

from app.learners.models import Learner

MAX_DISPLAY_NAME = 60


def get_or_create_learner(*, session: Session, learner_id: str | None) -> Learner:
    """The learner with this id; a fresh learner (new id) when the id is missing or unknown."""
    if learner_id is not None:
        learner = session.get(Learner, learner_id)
        if learner is not None:
            return learner
    # A stale id (its learner is gone) is never reused: the newcomer gets an id of their own.
    learner = Learner(id=uuid.uuid4().hex)
    session.add(learner)
    session.commit()
    return learner


def set_display_name(*, session: Session, learner: Learner, name: str) -> Learner:
    """Store the learner's optional display name (blank clears it); ValueError when too long."""
    cleaned = " ".join(name.split())
    if len(cleaned) > MAX_DISPLAY_NAME:
        raise ValueError(f"A display name is at most {MAX_DISPLAY_NAME} characters.")
    learner.display_name = cleaned or None
    session.commit()
    return learner
