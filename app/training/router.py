"""The Training Pipeline playground: start a live run (POST), stream it (GET, server-sent events), cancel."""

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Path, Request, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from markupsafe import Markup

from app.deps import LearnerDep
from app.labmodel.deps import LabModelDep
from app.lessons.extras import ExtraRenderer, LessonExtras
from app.templating import render, render_fragment
from app.training import service
from app.training.content import load_training_content
from app.training.runs import Job, Run, RunRefused
from app.training.schemas import DpoForm, PretrainForm, SftForm

router = APIRouter(prefix="/playground/training")

LESSON = "training-pipeline"
RunIdPath = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]


def get_training(request: Request) -> service.TrainingLab:
    """The feature's state, built at start-up."""
    return request.app.state.training


TrainingDep = Annotated[service.TrainingLab, Depends(get_training)]


def renderer(request: Request) -> service.Render:
    """Render a partial to a string from any thread (the partials use no request)."""
    env = request.app.state.templates.env
    return lambda name, context: env.get_template(name).render(context)


def widgets_context(request: Request) -> dict:
    """Everything the three demo widgets and the page's computed notes draw before any run."""
    training: service.TrainingLab = request.app.state.training
    lab = request.app.state.lab_model
    content = training.content
    pre = PretrainForm()
    sft = SftForm(question=content.held_out[0])
    dpo = DpoForm(question=content.preferences[2].prompt)
    pre_config = pre.config(*training.budget(pre.steps, pre.seconds))
    sft_config = sft.config(*training.budget(sft.steps, sft.seconds))
    sft_phase, dpo_config = dpo.configs(dpo.sft_steps, dpo.steps, dpo.seconds)
    return {
        "training": training,
        "pretrain_form": pre,
        "pretrain_view": service.empty_pretrain_view(training, pre_config),
        "pretrain_config": pre_config,
        "sft_form": sft,
        "sft_view": service.empty_sft_view(training, sft_config, sft.question),
        "dpo_form": dpo,
        "dpo_view": service.empty_dpo_view(training, sft_phase, dpo_config, dpo.question),
        "content": content,
        "tokenizer_name": lab.tokenizer.name,
        "vocab_size": lab.tokenizer.vocab_size,
        "model_params": sum(p.numel() for p in lab.model.parameters()),
        "curve": service.card_curve(lab),
        "behaviours": service.behaviour_rows(content),
        "languages": service.language_counts(lab.tokenizer),
        "english_like_rule": service.ENGLISH_LIKE_RULE,
    }


@router.get("")
def training_page(request: Request, learner: LearnerDep):
    """The three live demos, the shipped model's own curve, and where each behaviour comes from.

    The learner is resolved (a cookie issued if needed) so the page carries the CSRF token its POSTs send.
    """
    return render(request, "training/page.html", widgets_context(request))


def _start(
    request: Request,
    training: service.TrainingLab,
    learner_id: str,
    kind: str,
    job: Job,
    view: service.View,
    template: str,
):
    """Reserve the run (409 or 503 with the reason when it cannot start) and answer with its panel."""
    try:
        run = training.runs.reserve(learner_id, kind, job)
    except RunRefused as exc:
        raise HTTPException(status_code=exc.status, detail=exc.message) from exc
    return render(
        request,
        "training/_run.html",
        {
            "run": run,
            "view": view,
            "view_template": template,
        },
    )


@router.post("/runs/pretrain")
def start_pretraining(
    request: Request,
    form: Annotated[PretrainForm, Form()],
    learner: LearnerDep,
    lab: LabModelDep,
    training: TrainingDep,
):
    """Reserve a pre-training run from random weights; the panel that comes back opens its stream."""
    config = form.config(*training.budget(form.steps, form.seconds))
    job = service.pretrain_job(training, lab.tokenizer, config, renderer(request))
    view = service.empty_pretrain_view(training, config)
    return _start(request, training, learner.id, "pre-training", job, view, "training/_pretrain_view.html")


@router.post("/runs/sft")
def start_sft(
    request: Request,
    form: Annotated[SftForm, Form()],
    learner: LearnerDep,
    lab: LabModelDep,
    training: TrainingDep,
):
    """Reserve a fine-tuning run on a copy of the lab model."""
    config = form.config(*training.budget(form.steps, form.seconds))
    job = service.sft_job(training, lab, config, form.question, renderer(request))
    view = service.empty_sft_view(training, config, form.question)
    return _start(request, training, learner.id, "fine-tuning", job, view, "training/_sft_view.html")


@router.post("/runs/dpo")
def start_dpo(
    request: Request,
    form: Annotated[DpoForm, Form()],
    learner: LearnerDep,
    lab: LabModelDep,
    training: TrainingDep,
):
    """Reserve an SFT-then-DPO run on copies of the lab model."""
    sft_steps, seconds = training.budget(form.sft_steps, form.seconds)
    steps, _ = training.budget(form.steps, form.seconds)
    sft, dpo = form.configs(sft_steps, steps, seconds)
    job = service.dpo_job(training, lab, sft, dpo, form.question, renderer(request))
    view = service.empty_dpo_view(training, sft, dpo, form.question)
    return _start(request, training, learner.id, "preference step", job, view, "training/_dpo_view.html")


async def claimed_run(request: Request, run_id: RunIdPath, training: TrainingDep) -> Run:
    """This learner's reserved run, now queued for its stream; 404 if there is none by that id."""
    learner_id = request.app.state.cookies.learner_id(request)
    run = training.runs.claim(run_id, learner_id, asyncio.get_running_loop())
    if run is None:
        raise HTTPException(status_code=404, detail="No training run of yours is waiting for its stream.")
    return run


@router.get("/runs/{run_id}/stream", response_class=EventSourceResponse)
async def stream_run(
    run: Annotated[Run, Depends(claimed_run)], training: TrainingDep
) -> AsyncIterator[ServerSentEvent]:
    """`queued` (position), `progress` (the panel's HTML), then `end` or `failed`; leaving cancels the run."""
    try:
        while (event := await run.next_event()) is not None:
            name, data = event
            yield ServerSentEvent(event=name, data=data)
    finally:
        training.runs.stop(run)  # the page went away (or the run ended): nothing trains for nobody


@router.post("/runs/{run_id}/cancel", status_code=204)
def cancel_run(request: Request, run_id: RunIdPath, training: TrainingDep) -> Response:
    """Cancel this learner's run; a run that has already ended needs nothing more."""
    training.runs.cancel(run_id, request.app.state.cookies.learner_id(request))
    return Response(status_code=204)


def _lesson_widget(template: str) -> ExtraRenderer:
    def widget(request: Request) -> Markup:
        return render_fragment(request, template, widgets_context(request) | {"in_lesson": True})

    return widget


def install(app: FastAPI) -> None:
    """Load the demos' content, prepare the corpus and the runs, and place the widgets in the lesson."""
    settings = app.state.settings
    content = load_training_content(settings.content_dir)
    app.state.training = service.build_training_lab(
        settings, app.state.course, app.state.question_bank, app.state.lab_model.tokenizer, content
    )
    register_lesson_extras(app.state.lesson_extras)


def register_lesson_extras(extras: LessonExtras) -> None:
    """Each live demo after the stage it shows, and the behaviours table's links after that table."""
    extras.register(
        LESSON,
        "stage-1-pre-training-next-token-prediction",
        _lesson_widget("training/_pretrain_widget.html"),
        shared=True,
    )
    extras.register(
        LESSON,
        "stage-1-pre-training-next-token-prediction",
        _lesson_widget("training/_card_curve.html"),
        shared=True,
    )
    extras.register(
        LESSON, "stage-2-supervised-fine-tuning-sft", _lesson_widget("training/_sft_widget.html"), shared=True
    )
    extras.register(
        LESSON,
        "stage-3-alignment-rlhf--dpo--constitutional-ai",
        _lesson_widget("training/_dpo_widget.html"),
        shared=True,
    )
    extras.register(
        LESSON, "why-training-explains-behavior", _lesson_widget("training/_behaviours.html"), shared=True
    )
