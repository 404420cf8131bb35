"""The progress dashboard, and export / import of a learner's whole progress."""

from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse

from app.charts.progress import Bar, activity_calendar, mastery_bars, score_line
from app.dashboard.portability import (
    MAX_IMPORT_BYTES,
    ImportConflictError,
    ImportRefusedError,
    export_progress,
    import_progress,
)
from app.dashboard.service import build_dashboard
from app.deps import CourseDep, LearnerDep, NowDep, SessionDep
from app.quiz.deps import BankDep
from app.templating import render

router = APIRouter(prefix="/progress")


def _page(request: Request, session, learner, course, bank, now, **extra):  # noqa: ANN001, ANN202
    dashboard = build_dashboard(session=session, learner_id=learner.id, course=course, bank=bank, now=now)
    bars = [
        Bar(
            label=row.title,
            share=row.mastery.share,
            detail=f"{row.mastery.right}/{row.mastery.total} right, {row.mastery.seen} seen, {row.due} due",
        )
        for row in dashboard.lessons
    ]
    charts = {
        "mastery": mastery_bars("mastery-chart", bars),
        "scores": score_line("score-chart", [(r.attempt.started_at, r.score) for r in dashboard.interviews]),
        "calendar": activity_calendar("activity-chart", dashboard.activity, dashboard.today),
    }
    return render(request, "dashboard/index.html", {"d": dashboard, "charts": charts, **extra})


@router.get("")
def progress_page(
    request: Request, session: SessionDep, learner: LearnerDep, course: CourseDep, bank: BankDep, now: NowDep
):
    """Mastery, questions seen and due, streak, interview scores and activity, as pictures with summaries."""
    return _page(request, session, learner, course, bank, now)


@router.get("/export")
def export(session: SessionDep, learner: LearnerDep, now: NowDep):
    """The learner's whole progress as a versioned JSON file."""
    document = export_progress(session=session, learner_id=learner.id, now=now)
    filename = f"llm-lab-progress-{now:%Y%m%d-%H%M}.json"
    return JSONResponse(document, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.post("/import")
def import_file(
    request: Request,
    session: SessionDep,
    learner: LearnerDep,
    course: CourseDep,
    bank: BankDep,
    now: NowDep,
    file: Annotated[UploadFile, File()],
):
    """Merge an exported file into this learner; a file not ours, or a second import, is refused."""
    data = file.file.read(MAX_IMPORT_BYTES + 1)
    try:
        summary = import_progress(session=session, learner_id=learner.id, data=data, bank=bank, now=now)
    except ImportConflictError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc
    except ImportRefusedError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    return _page(request, session, learner, course, bank, now, imported=summary)
