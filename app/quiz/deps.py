"""Dependencies of the quiz features: the question bank, the generators' tools and the sentence encoder."""

from typing import Annotated

from fastapi import Depends, Request

from app.embeddings.model import SentenceEncoder
from app.quiz.bank import QuestionBank
from app.quiz.generated import GeneratorTools


def get_bank(request: Request) -> QuestionBank:
    """The question bank loaded at start-up."""
    return request.app.state.question_bank


def get_tools(request: Request) -> GeneratorTools:
    """The encodings and prices generated questions compute with."""
    return request.app.state.generator_tools


def get_encoder(request: Request) -> SentenceEncoder:
    """The sentence-embedding model loaded at start-up."""
    return request.app.state.sentence_encoder


BankDep = Annotated[QuestionBank, Depends(get_bank)]
ToolsDep = Annotated[GeneratorTools, Depends(get_tools)]
EncoderDep = Annotated[SentenceEncoder, Depends(get_encoder)]
