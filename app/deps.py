"""Annotated dependencies shared by the feature routers."""

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.config import Settings
from app.db import get_session
from app.learners.models import Learner
from app.learners.service import get_or_create_learner
from app.lessons.content import Course

SessionDep = Annotated[Session, Depends(get_session)]

# The reads of app.state and of a header below are async: FastAPI runs a plain `def` dependency in its
# thread pool, a hop of 0.1-0.5 ms each (and a wait for a free thread under load) for no work at all.


async def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return request.app.state.settings


async def get_course(request: Request) -> Course:
    """The course loaded at start-up."""
    return request.app.state.course


def current_learner(request: Request, session: SessionDep) -> Learner:
    """The learner of this browser; a new one (and cookie) when the cookie is absent, forged or stale."""
    cookies = request.app.state.cookies
    sent_id = cookies.learner_id(request)
    learner = get_or_create_learner(session=session, learner_id=sent_id)
    if learner.id != sent_id:
        cookies.issue(request, learner.id)
    request.state.learner_id = learner.id
    return learner


async def is_htmx(request: Request) -> bool:
    """True when htmx made the request, so a partial rather than a page is wanted."""
    return request.headers.get("hx-request") == "true"


async def current_time(request: Request) -> datetime:
    """Now, in UTC, from the app's clock (app.state.clock), which tests can move."""
    return request.app.state.clock()


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
CourseDep = Annotated[Course, Depends(get_course)]
LearnerDep = Annotated[Learner, Depends(current_learner)]
HXRequest = Annotated[bool, Depends(is_htmx)]
NowDep = Annotated[datetime, Depends(current_time)]
