"""Dependencies of the quiz features: the question bank, the generators' tools and the sentence encoder."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from app.embeddings.handle import EncoderLoading
from app.embeddings.model import EmbeddingModelError, SentenceEncoder
from app.quiz.bank import Question, QuestionBank
from app.quiz.generated import GeneratorTools
from app.templating import render


# async: a plain read of app.state, which FastAPI would otherwise send through its thread pool.
async def get_bank(request: Request) -> QuestionBank:
    """The question bank loaded at start-up."""
    return request.app.state.question_bank


async def get_tools(request: Request) -> GeneratorTools:
    """The encodings and prices generated questions compute with."""
    return request.app.state.generator_tools


def grading_encoder(request: Request, question: Question) -> SentenceEncoder | None:
    """The sentence encoder if this question is graded with it (free text), else None.

    MiniLM loads in the background: EncoderLoading until it is ready (see grader_loading), and a 503
    naming the problem if it failed to load. Other questions never wait for it.
    """
    if question.type != "free_text":
        return None
    try:
        return request.app.state.sentence_encoder.get()
    except EmbeddingModelError as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from exc


def grader_loading(
    request: Request, hx: bool, *, action: str, target: str, fields: dict, text: str | None, card_id: str = ""
):
    """While MiniLM loads: htmx gets a card that posts the same answer again a second later, by itself;
    a plain form gets a 503 asking to send it again."""
    message = "The grader's model (all-MiniLM-L6-v2) is still loading."
    if not hx:
        raise HTTPException(
            status_code=503,
            detail=f"{message} Go back and send your answer again in a few seconds.",
            headers={"Retry-After": str(EncoderLoading.retry_after)},
        )
    context = {
        "action": action,
        "target": target,
        "fields": fields,
        "text": text or "",
        "message": message,
        "card_id": card_id,
    }
    return render(request, "quiz/_grader_loading.html", context)


BankDep = Annotated[QuestionBank, Depends(get_bank)]
ToolsDep = Annotated[GeneratorTools, Depends(get_tools)]
