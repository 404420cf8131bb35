"""Tokenizer pages: the playground, the ChatML view and the BPE trainer; htmx gets the partial."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request

from app.catalog.deps import CatalogDep
from app.catalog.models import ModelCatalog
from app.config import Settings
from app.deps import HXRequest, LearnerDep, SettingsDep
from app.embeddings.wordpiece import wordpieces
from app.templating import render
from app.tokenizer.chat import ChatMessage, chatml_transcript
from app.tokenizer.demos import all_demos
from app.tokenizer.deps import EncodingsDep
from app.tokenizer.encodings import EncodingRegistry
from app.tokenizer.schemas import (
    CHAT_SAMPLE,
    PLAYGROUND_SAMPLE,
    TRAINER_SAMPLE,
    ChatForm,
    PlaygroundForm,
    TrainerForm,
)
from app.tokenizer.service import TextTooLongError, check_length, playground_context
from app.tokenizer.trainer import MAX_TRAIN_CHARS, train_to_step

router = APIRouter(prefix="/playground/tokenizer")


def _playground(
    request: Request,
    hx: bool,
    form: PlaygroundForm,
    registry: EncodingRegistry,
    catalog: ModelCatalog,
    settings: Settings,
):
    context, status = playground_context(
        form=form, registry=registry, catalog=catalog, max_chars=settings.max_tokenize_chars
    )
    if form.compare and status == 200:  # beside the BPE encodings: the embedding model's WordPiece
        context["wordpiece"] = wordpieces(form.text)
    if hx:
        return render(request, "tokenizer/_result.html", context, status_code=status)
    context["demos"] = all_demos(registry=registry)
    return render(request, "tokenizer/playground.html", context, status_code=status)


@router.get("")
def playground_page(
    request: Request,
    learner: LearnerDep,
    hx: HXRequest,
    registry: EncodingsDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    form: Annotated[PlaygroundForm, Query()],
):
    """The playground; query parameters (e.g. ?text=12345) fill it in, as the demos' links do."""
    if not request.query_params:
        form = PlaygroundForm(text=PLAYGROUND_SAMPLE)
    return _playground(request, hx, form, registry, catalog, settings)


@router.post("")
def playground_update(
    request: Request,
    learner: LearnerDep,
    hx: HXRequest,
    registry: EncodingsDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    form: Annotated[PlaygroundForm, Form()],
):
    """Re-tokenize the posted text: htmx gets the result partial, a plain form the whole page."""
    return _playground(request, hx, form, registry, catalog, settings)


def _chat(request: Request, hx: bool, form: ChatForm, registry: EncodingRegistry, settings: Settings):
    context: dict[str, Any] = {"form": form, "encoding": registry.chat}
    status = 200
    try:
        for field in (form.system, form.user, form.assistant):
            check_length(field, limit=settings.max_tokenize_chars)
    except TextTooLongError as exc:
        context["error"], status = str(exc), 413
    else:
        messages = [
            ChatMessage(role="system", content=form.system),
            ChatMessage(role="user", content=form.user),
            ChatMessage(role="assistant", content=form.assistant),
        ]
        context["transcript"] = chatml_transcript(encoding=registry.chat, messages=messages)
    name = "tokenizer/_chat_result.html" if hx else "tokenizer/chat.html"
    return render(request, name, context, status_code=status)


@router.get("/chat")
def chat_page(
    request: Request,
    learner: LearnerDep,
    hx: HXRequest,
    registry: EncodingsDep,
    settings: SettingsDep,
    form: Annotated[ChatForm, Query()],
):
    """A conversation framed in ChatML, with the framing's own token count."""
    if not request.query_params:
        form = ChatForm(**CHAT_SAMPLE)
    return _chat(request, hx, form, registry, settings)


@router.post("/chat")
def chat_update(
    request: Request,
    learner: LearnerDep,
    hx: HXRequest,
    registry: EncodingsDep,
    settings: SettingsDep,
    form: Annotated[ChatForm, Form()],
):
    """Re-frame the posted conversation."""
    return _chat(request, hx, form, registry, settings)


def _trainer(request: Request, hx: bool, form: TrainerForm):
    context: dict[str, Any] = {"form": form, "max_chars": MAX_TRAIN_CHARS}
    status = 200
    try:
        context["training"] = train_to_step(text=form.text, num_merges=form.num_merges, step=form.wanted_step)
    except TextTooLongError as exc:
        context["error"], status = str(exc), 413
    name = "tokenizer/_bpe_result.html" if hx else "tokenizer/bpe.html"
    return render(request, name, context, status_code=status)


@router.get("/bpe")
def trainer_page(request: Request, learner: LearnerDep, hx: HXRequest, form: Annotated[TrainerForm, Query()]):
    """The BPE trainer at one step of training."""
    if not request.query_params:
        form = TrainerForm(text=TRAINER_SAMPLE)
    return _trainer(request, hx, form)


@router.post("/bpe")
def trainer_update(
    request: Request, learner: LearnerDep, hx: HXRequest, form: Annotated[TrainerForm, Form()]
):
    """Train on the posted text and show the asked-for step (prev/next move one merge)."""
    return _trainer(request, hx, form)
