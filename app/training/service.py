"""The Training Pipeline demos: what they train on, and the jobs that run app/lm's training in a worker.

A job, run by the run manager's thread, has one of the library's training generators (pre-training,
SFT, DPO) run in a child process (app/training/worker.py), feeds each event to the demo's view, and
streams the rendered view: at once for samples, answers and validation points, at most every
``UPDATE_SECONDS`` for plain steps. The shared lab model is never trained: the child has its own copy.
"""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

from app.charts.curves import Guide, Series, line_chart
from app.config import Settings
from app.lessons.content import Course
from app.lm.checkpoint import LabModel
from app.lm.dpo import DpoConfig
from app.lm.live import RunEnd
from app.lm.pretrain import PretrainConfig, PretrainData, baseline_losses, new_model, prepare_data
from app.lm.sft import SftConfig
from app.lm.tokenizer import LabTokenizer
from app.quiz.bank import QuestionBank
from app.training import worker
from app.training.content import TrainingContent
from app.training.runs import Job, Run, TrainingRuns
from app.training.views import ENGLISH_LIKE_RULE, DpoView, PretrainView, SftView

UPDATE_SECONDS = 0.25
Render = Callable[[str, dict], str]  # (template name, context) -> HTML
View = PretrainView | SftView | DpoView


def prose(markdown: str) -> str:
    """A lesson's running text: fenced code, tables and Markdown marks removed.

    Example: ``prose("## Title\\n\\n| a | b |\\n**Bold** text")`` -> ``"Title\\n\\nBold text"``
    """
    text = re.sub(r"^```.*?^```[^\n]*$", "", markdown, flags=re.M | re.S)
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("|"):
            continue
        stripped = re.sub(r"^#+\s*|^[-*]\s+|^\d+\.\s+", "", stripped)
        lines.append(stripped.replace("**", "").replace("`", ""))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def lesson_body(course: Course, slug: str) -> str:
    """A lesson's Markdown without its front matter."""
    lesson = course.lesson(slug)
    assert lesson is not None
    return lesson.source_path.read_text(encoding="utf-8").split("\n---\n", 1)[1]


def corpus_documents(course: Course, bank: QuestionBank) -> list[str]:
    """The pre-training text: each lesson's prose, then per lesson its questions' explanations and answers."""
    documents = [prose(lesson_body(course, lesson.slug)) for lesson in course.lessons]
    for lesson in course.lessons:
        parts = []
        for question in bank.for_lesson(lesson.slug):
            parts.append(question.spec.explanation.strip())
            model_answer = getattr(question.spec, "model_answer", None)
            if model_answer:
                parts.append(model_answer.strip())
        if parts:
            documents.append("\n\n".join(parts))
    return documents


@dataclass
class TrainingLab:
    """The feature's state on app.state.training: the runs, the content and the prepared corpus."""

    runs: TrainingRuns
    content: TrainingContent
    corpus: PretrainData
    lessons: int
    question_documents: int
    baselines: tuple[float, float]  # (uniform ln V, unigram) losses on the validation tokens
    pretrain_parameters: int  # of the tiny model the pre-training demo builds
    step_cap: int
    max_seconds: float

    def budget(self, steps: int, seconds: float) -> tuple[int, float]:
        """The steps and seconds a run asks for, within this server's caps."""
        return min(steps, self.step_cap), min(seconds, self.max_seconds)


def build_training_lab(
    settings: Settings, course: Course, bank: QuestionBank, tokenizer: LabTokenizer, content: TrainingContent
) -> TrainingLab:
    """Prepare the corpus once (tokenised with the lab's tokenizer) and the run manager."""
    documents = corpus_documents(course, bank)
    corpus = prepare_data(tokenizer, documents)
    return TrainingLab(
        runs=TrainingRuns(max_running=settings.training_runs, max_waiting=settings.training_queue),
        content=content,
        corpus=corpus,
        lessons=len(course.lessons),
        question_documents=len(documents) - len(course.lessons),
        baselines=baseline_losses(corpus, PretrainConfig.context_length, tokenizer.vocab_size),
        pretrain_parameters=new_model(PretrainConfig().model_config(tokenizer.vocab_size), 0).num_params(),
        step_cap=settings.training_step_cap,
        max_seconds=settings.training_max_seconds,
    )


def context(view: View) -> dict:
    """What a panel partial renders from."""
    return {"view": view, "english_like_rule": ENGLISH_LIKE_RULE}


class Reporter:
    """Streams a view to a run's page: at once when asked, otherwise at most every UPDATE_SECONDS."""

    def __init__(self, run: Run, render: Render, template: str) -> None:
        self.run, self.render, self.template = run, render, template
        self.sent_at = 0.0

    def update(self, view: View, urgent: bool) -> None:
        """Send the view if it is urgent or the last update is old enough."""
        now = time.monotonic()
        if urgent or now - self.sent_at >= UPDATE_SECONDS:
            self.sent_at = now
            self.run.emit("progress", {"html": self.render(self.template, context(view))})

    def finish(self, view: View, end: RunEnd | None) -> None:
        """The last update, with why the run ended (a run killed before its end event counts as stopped)."""
        reason = end.reason if end else "stopped"
        self.run.emit("end", {"reason": reason, "html": self.render(self.template, context(view))})


def empty_pretrain_view(training: TrainingLab, config: PretrainConfig) -> PretrainView:
    """The pre-training panel before (or at the start of) a run."""
    uniform, unigram = training.baselines
    return PretrainView(
        steps=config.steps, max_seconds=config.max_seconds, uniform_loss=uniform, unigram_loss=unigram
    )


def pretrain_job(
    training: TrainingLab, tokenizer: LabTokenizer, config: PretrainConfig, render: Render
) -> Job:
    """A job that pre-trains a new tiny model on the corpus (in a child process) and streams the panel."""
    child = worker.PretrainJob(tokenizer=tokenizer, data=training.corpus, config=config)

    def job(run: Run) -> None:
        view = empty_pretrain_view(training, config)
        reporter = Reporter(run, render, "training/_pretrain_view.html")
        worker.drive(child, lambda item: reporter.update(view, view.add(item[1])), run.should_stop, run.id)
        reporter.finish(view, view.end)

    return job


def empty_sft_view(training: TrainingLab, config: SftConfig, question: str) -> SftView:
    """The SFT panel before (or at the start of) a run."""
    return SftView(
        steps=config.steps,
        max_seconds=config.max_seconds,
        template=training.content.template.layout(),
        question=question,
    )


def sft_job(training: TrainingLab, lab: LabModel, config: SftConfig, question: str, render: Render) -> Job:
    """A job that fine-tunes a copy of the lab model on the SFT pairs and streams the panel.

    The child process trains its own copy (the job's pickle): the shared model keeps serving the other
    widgets, untouched.
    """
    content = training.content
    child = worker.SftJob(
        model=lab.model,
        tokenizer=lab.tokenizer,
        pairs=content.sft_pairs,
        template=content.template,
        config=config,
        question=question,
    )

    def job(run: Run) -> None:
        view = empty_sft_view(training, config, question)
        reporter = Reporter(run, render, "training/_sft_view.html")
        worker.drive(child, lambda item: reporter.update(view, view.add(item[1])), run.should_stop, run.id)
        reporter.finish(view, view.end)

    return job


def empty_dpo_view(training: TrainingLab, sft: SftConfig, dpo: DpoConfig, question: str) -> DpoView:
    """The DPO panel before (or at the start of) a run."""
    sft_view = empty_sft_view(training, sft, question)
    sft_view.chart_id = "dpo-sft-loss"
    return DpoView(
        sft=sft_view, steps=dpo.steps, max_seconds=dpo.max_seconds, beta=dpo.beta, question=question
    )


def dpo_job(
    training: TrainingLab, lab: LabModel, sft: SftConfig, dpo: DpoConfig, question: str, render: Render
) -> Job:
    """A job that runs SFT then DPO on a copy of the lab model, streaming both phases to one panel."""
    content = training.content
    child = worker.DpoJob(
        model=lab.model,
        tokenizer=lab.tokenizer,
        pairs=content.sft_pairs,
        preferences=content.preferences,
        template=content.template,
        sft=sft,
        dpo=dpo,
        question=question,
    )

    def job(run: Run) -> None:
        view = empty_dpo_view(training, sft, dpo, question)
        reporter = Reporter(run, render, "training/_dpo_view.html")

        def on_event(item: worker.Event) -> None:
            phase, event = item
            reporter.update(view, view.sft.add(event) if phase == "sft" else view.add(event))

        worker.drive(child, on_event, run.should_stop, run.id)
        reporter.finish(view, view.end or view.sft.end)

    return job


@dataclass(frozen=True)
class CardCurve:
    """The shipped model's training as its card records it."""

    chart: Markup | None
    points: int
    eval_interval: int | None
    steps: int | None
    tokens_seen: int | None
    seconds: float | None
    device: str | None
    val_perplexity: float | None
    unigram_perplexity: float | None


def card_curve(lab: LabModel) -> CardCurve:
    """The periodic train/validation losses of the card, drawn against its unigram baseline (if recorded)."""
    card = lab.card
    training = card.get("training") or {}
    history = training.get("history") or []
    evaluation = card.get("evaluation") or {}
    chart = None
    if history:
        unigram = evaluation.get("unigram_loss")
        chart = line_chart(
            "card-loss",
            f"{card.get('name', 'lab model')}: losses recorded in its card",
            [
                Series(
                    "training loss (at the check)",
                    [(h["step"], h["train_loss"]) for h in history],
                    "curve-train",
                    dots=True,
                ),
                Series(
                    "validation loss", [(h["step"], h["val_loss"]) for h in history], "curve-val", dots=True
                ),
            ],
            [Guide("unigram baseline", unigram, "guide-unigram")] if unigram is not None else [],
            x_max=training.get("steps"),
            y_label="loss (nats/token)",
        )
    recipe = card.get("recipe") or {}
    return CardCurve(
        chart=chart,
        points=len(history),
        eval_interval=recipe.get("eval_interval"),
        steps=training.get("steps"),
        tokens_seen=training.get("tokens_seen"),
        seconds=training.get("seconds"),
        device=training.get("device"),
        val_perplexity=evaluation.get("val_perplexity"),
        unigram_perplexity=evaluation.get("unigram_perplexity"),
    )


def behaviour_rows(content: TrainingContent) -> list[tuple[str, str, str]]:
    """The lesson's "Why Training Explains Behavior" rows: (behaviour, the demo that shows it, how)."""
    n = len(content.preferences)
    refusals, corrections = content.pairs_showing("refusal"), content.pairs_showing("sycophancy")
    held_out = content.held_out[-1]
    return [
        (
            "Hallucination",
            "demo-pretrain",
            "Pre-training's samples turn fluent long before they mean anything: "
            "the loss rewards a likely next token, never a true one.",
        ),
        (
            "Instruction following",
            "demo-sft",
            "Before SFT the model continues the template's text; after a few "
            "seconds on the pairs it answers in the template and closes its turn.",
        ),
        (
            "Refusal to help with harm",
            "demo-dpo",
            f"{refusals} of the {n} preference pairs prefer a refusal; "
            "the margin chart shows the policy moving toward the chosen answers.",
        ),
        (
            "Knowledge cutoff",
            "demo-pretrain",
            'The tiny model knows only the text listed under "What it trains on"; '
            f'ask the SFT demo a held-out question such as "{held_out}".',
        ),
        (
            "Better at English than other languages",
            "demo-pretrain",
            "The corpus is English only, and so is the text the lab's tokenizer "
            "was trained on (see the token counts below).",
        ),
        (
            "Sycophancy",
            "demo-dpo",
            f"{corrections} of the {n} pairs prefer correcting the user over agreeing. "
            "Raters who preferred agreement would push the same step the other way.",
        ),
    ]


# One sentence, two languages, for the "better at English" row: counted with the lab's tokenizer.
LANGUAGE_SAMPLES = (
    ("English", "The model reads the text and predicts the next word."),
    ("French", "Le modèle lit le texte et prédit le mot suivant."),
    ("German", "Das Modell liest den Text und sagt das nächste Wort voraus."),
)


@dataclass(frozen=True)
class LanguageCount:
    """One sample sentence and what the lab's tokenizer makes of it."""

    language: str
    text: str
    tokens: int
    chars_per_token: float


def language_counts(tokenizer: LabTokenizer) -> list[LanguageCount]:
    """Tokens and characters per token of the same sentence in three languages."""
    out = []
    for language, text in LANGUAGE_SAMPLES:
        n = len(tokenizer.encode(text))
        out.append(LanguageCount(language, text, n, len(text) / n))
    return out
