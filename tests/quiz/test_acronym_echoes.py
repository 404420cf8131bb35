"""Spelling out the question's acronyms is an echo; spelling one out on the way to a real point is not."""

import pytest

from app.quiz.acronyms import abbreviates, acronyms_in, expansions
from app.quiz.echoes import echoes_question
from app.quiz.grading import ONLY_ECHOES, grade_free_text
from app.quiz.schemas import TextAnswer

COMPARE = 'Interview question: "Compare RLHF, DPO and Constitutional AI."'
PIPELINE = 'Interview question: "Walk me through how a chat model like GPT-4o or Claude is trained."'
RLHF = "reinforcement learning from human feedback"
PIPELINE_POINTS = ["SFT on instruction data teaches it to act as an assistant", "Alignment with RLHF or DPO"]


def test_acronyms_are_words_with_two_capitals_in_any_question():
    assert acronyms_in(COMPARE) == {"rlhf", "dpo", "ai"}
    assert acronyms_in("LLMs, GPT-4o and LoRA, not WordPiece or Compare") == {"llm", "gpt", "lora"}
    assert acronyms_in("no acronym here, only Capitals") == frozenset()


@pytest.mark.parametrize(
    ("text", "acronym", "spelled"),
    [
        ("RLHF is reinforcement learning from human feedback", "rlhf", RLHF),
        ("rlhf is Reinforcement Learning From Human Feedback", "rlhf", RLHF),
        ("SFT means supervised fine-tuning", "sft", "supervised fine-tuning"),
        ("An MLP is a multi-layer perceptron", "mlp", "multi-layer perceptron"),
        ("GPT is a generative pre-trained transformer", "gpt", "generative pre-trained transformer"),
        ("It is a mixture of experts", "moe", "mixture of experts"),
        ("Large language models, LLMs, predict tokens", "llm", "large language models"),
        ("attention is all you need", "ai", ""),  # a function word spells nothing
        ("in the output", "ito", ""),  # nor does a run that starts on one
        ("DPO skips the reward model", "dpo", ""),
    ],
)
def test_an_expansion_is_a_run_of_words_whose_initials_spell_the_acronym(text, acronym, spelled):
    assert " ".join(expansions(text, [acronym])) == spelled


def test_an_acronym_of_the_questions_own_words_is_the_questions_term():
    assert abbreviates("RAG", "How does retrieval-augmented generation help?")
    assert abbreviates("rlhf", "Why is reinforcement learning from human feedback used?")
    assert not abbreviates("cost", "What does attention cost?")
    assert not abbreviates("it", "Why is it trained?")


@pytest.mark.parametrize(
    ("sentence", "echo"),
    [
        ("RLHF is reinforcement learning from human feedback.", True),
        ("RLHF stands for reinforcement learning from human feedback.", True),
        ("rlhf is short for reinforcement learning from human feedback", True),
        ("DPO means direct preference optimization, and Constitutional AI is constitutional AI.", True),
        ("Reinforcement learning from human feedback is what the letters RLHF stand for.", True),
        ("PPO is proximal policy optimization.", True),  # an acronym of the key points, with its expansion
        (
            "RLHF, reinforcement learning from human feedback, trains a reward model on human rankings and "
            "then optimizes the policy against it with PPO.",
            False,
        ),
        ("DPO, direct preference optimization, skips the reward model and trains on preferred pairs.", False),
        ("Constitutional AI has the model critique its own answers against written principles.", False),
    ],
)
def test_spelling_out_the_questions_acronyms_is_an_echo(sentence, echo):
    points = ["RLHF optimizes the policy with PPO or reinforcement learning"]
    assert echoes_question(sentence, COMPARE, points) is echo


@pytest.mark.parametrize(
    ("sentence", "echo"),
    [
        ("SFT means supervised fine-tuning.", True),
        ("GPT is a generative pre-trained transformer.", True),
        ("Supervised fine-tuning, SFT, teaches the base model to follow instructions.", False),
        ("Pre-training teaches a generative pre-trained transformer to predict the next token.", False),
    ],
)
def test_acronyms_come_from_the_question_and_its_key_points(sentence, echo):
    assert echoes_question(sentence, PIPELINE, PIPELINE_POINTS) is echo


def test_an_answer_of_expansions_covers_nothing(real_bank, sentence_encoder):
    text = (
        "The three compare like this. RLHF stands for reinforcement learning from human feedback. "
        "DPO is short for direct preference optimization. Constitutional AI is constitutional AI."
    )
    result = grade_free_text(real_bank.get("train-rlhf-vs-dpo-ft"), TextAnswer(text), sentence_encoder)
    assert not result.correct and result.score == 0
    assert len(result.detail["echoes"]) == 3  # "The three compare like this" is no echo, and makes no point


def test_an_answer_of_nothing_but_expansions_is_told_so(real_bank, sentence_encoder):
    text = "RLHF is reinforcement learning from human feedback, and DPO is direct preference optimization."
    result = grade_free_text(real_bank.get("train-rlhf-vs-dpo-ft"), TextAnswer(text), sentence_encoder)
    assert not result.correct and result.score == 0
    assert result.detail["message"] == ONLY_ECHOES


def test_an_answer_that_expands_acronyms_and_makes_the_points_passes(real_bank, sentence_encoder):
    text = (
        "RLHF, reinforcement learning from human feedback, has people rank answers, trains a reward model on "
        "those rankings and then tunes the model against it with PPO. DPO, direct preference optimization, "
        "drops the reward model and trains straight on preferred and rejected pairs, which is simpler and "
        "more stable. Constitutional AI has the model critique and revise itself against written principles, "
        "so it needs far less human labeling."
    )
    result = grade_free_text(real_bank.get("train-rlhf-vs-dpo-ft"), TextAnswer(text), sentence_encoder)
    assert result.correct, result.detail
    assert result.detail["echoes"] == []
