"""One simulated learner for locust: the requests the lab's pages really send, with a browser's cookie and
CSRF token, acting every 0.2-1 s.

Each learner first tours every action once (so that a short run still covers every route), then picks
actions at random by weight. Requests are named by route; bench/load/report.py reads them back by name.
Imported only in the locust process (locust patches the standard library with gevent on import).
"""

import json
import random
import re
from urllib.parse import urlencode

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

from bench.load.routes import (
    ATTENTION,
    HEALTH,
    HOME,
    LESSON,
    MOCK_ANSWER,
    MOCK_DRAFT,
    MOCK_HOME,
    MOCK_PAGE,
    MOCK_START,
    NEXT_TOKEN,
    QUIZ,
    SLIDER,
    TOKENIZE,
)

LESSONS = (
    "attention-mechanism",
    "context-windows",
    "embeddings",
    "key-parameters",
    "mental-models",
    "model-families",
    "tokenization",
    "training-pipeline",
    "transformer-architecture",
)
PROMPTS = (  # slider moves mostly happen on a lesson's prompt, so the logits cache is shared
    "The old man walked slowly down the",
    "Once upon a time there was a",
    "The capital of France is",
    "Attention lets each token look at",
)
ATTENTION_TEXTS = (
    "The cat sat on the mat because it was tired.",
    "The animal didn't cross the street because it was too wide.",
    "Tokens attend only to the tokens before them.",
)
TYPED = (
    "Tokenizers split text into pieces that the model has in its vocabulary. Byte pair encoding starts "
    "from bytes and merges the most frequent pair again and again, so common words become one token and "
    "rare words several. Numbers, code and other languages often take more tokens than English prose. "
)
INTERVIEW_ANSWER = (
    "Attention compares each token's query with every key, scales the scores by the square root of the "
    "head dimension, applies a softmax and takes the weighted sum of the values. A causal mask keeps each "
    "token from seeing the tokens after it."
)

CSRF = re.compile(r'"X-CSRF-Token": "([^"]+)"')
CARD = re.compile(r'<article class="question-card')
FIELD = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')
HEAD_LINK = re.compile(r"layer=(\d+)&amp;head=(\d+)")
FORM = "application/x-www-form-urlencoded"


def question_forms(html: str) -> list[dict]:
    """The question cards in a page or partial: form action, question type and hidden fields."""
    forms = []
    for chunk in CARD.split(html)[1:]:
        action = re.search(r'<form class="question-form[^"]*" method="post" action="([^"]+)"', chunk)
        kind = re.search(r'data-type="(\w+)"', chunk)
        if action:
            forms.append(
                {
                    "action": action.group(1),
                    "type": kind.group(1) if kind else "follow_up",
                    "fields": dict(FIELD.findall(chunk.split("</form>")[0])),
                }
            )
    return forms


class Learner(FastHttpUser):
    """A learner in a class using the lab at once."""

    wait_time = between(0.2, 1.0)
    network_timeout = 30.0
    connection_timeout = 30.0
    heads: list[tuple[str, str]] = []  # (layer, head) pairs the heatmap offers, learned from the first answer

    WEIGHTS = {
        "lesson": 3,
        "quiz": 2,
        "tokenize": 5,
        "slider": 6,
        "attention": 2,
        "next_token": 2,
        "health": 2,
        "mock": 2,
    }
    TOUR = (
        "mock",
        "lesson",
        "mock",
        "quiz",
        "mock",
        "tokenize",
        "slider",
        "attention",
        "next_token",
        "health",
    )

    def on_start(self) -> None:
        self.rng = random.Random()
        self.csrf = ""
        self.questions: list[dict] = []  # unanswered questions of the last lesson page seen
        self.typed = self.rng.randrange(len(TYPED) // 2)
        self.prompt = self.rng.choice(PROMPTS)
        self.temperature = 1.0
        self.own_prompt = 0
        self.attempt: str | None = None  # "/mock/<id>" of the running interview
        self.item: dict | None = None  # its current question's form
        self.drafted = False
        self.tour = list(self.TOUR)
        self.page(HOME, "/")

    @task
    def act(self) -> None:
        """The next tour step, then a weighted random action."""
        name = (
            self.tour.pop(0)
            if self.tour
            else self.rng.choices(list(self.WEIGHTS), list(self.WEIGHTS.values()))[0]
        )
        getattr(self, name)()

    # -- requests as the browser sends them

    def htmx_headers(self) -> dict[str, str]:
        return {"HX-Request": "true", "X-CSRF-Token": self.csrf}

    def page(self, name: str, path: str) -> str:
        """A full page; keeps the CSRF token the page carries for htmx."""
        response = self.client.get(path, name=name)
        html = response.text or "" if response.status_code == 200 else ""
        found = CSRF.search(html)
        if found:
            self.csrf = found.group(1)
        return html

    def form(self, name: str, path: str, fields: dict | list) -> tuple[int, str, dict]:
        """An htmx form post (the token both as the header and as the form's field)."""
        data = urlencode(fields, doseq=True)
        headers = self.htmx_headers() | {"Content-Type": FORM}
        response = self.client.post(path, data=data, headers=headers, name=name)
        return response.status_code, response.text or "", response.headers or {}

    def partial(self, name: str, path: str) -> tuple[int, str]:
        response = self.client.get(path, headers=self.htmx_headers(), name=name)
        return response.status_code, response.text or ""

    # -- the actions

    def lesson(self) -> None:
        html = self.page(LESSON, f"/lessons/{self.rng.choice(LESSONS)}")
        forms = [f for f in question_forms(html) if f["type"] != "free_text"]
        if forms:
            self.questions = forms

    def quiz(self) -> None:
        """Answer one choice or numeric question of the last lesson page (free text is graded in mocks)."""
        if not self.questions:
            return self.lesson()
        question = self.questions.pop(self.rng.randrange(len(self.questions)))
        self.form(QUIZ, question["action"], self.answer_fields(question))

    def answer_fields(self, question: dict) -> list[tuple[str, str]]:
        fields = list(question["fields"].items())
        if question["type"] in ("single", "multiple"):
            return fields + [("choice", "0")]
        if question["type"] in ("numeric", "generated"):
            return fields + [("value", "1")]
        return fields + [("text", INTERVIEW_ANSWER)]

    def tokenize(self) -> None:
        """One keystroke in the tokenizer playground (its textarea posts on input)."""
        self.typed = self.typed % len(TYPED) + self.rng.randint(1, 3)
        fields = {"csrf_token": self.csrf, "text": TYPED[: self.typed], "encoding": "cl100k_base"}
        self.form(TOKENIZE, "/playground/tokenizer", fields)

    def slider(self) -> None:
        """One step of the temperature slider: the sampling widget's form as htmx sends it."""
        self.temperature = round(min(2.0, max(0.0, self.temperature + self.rng.choice((-0.05, 0.05)))), 2)
        if self.rng.random() < 0.05:
            self.prompt = self.rng.choice(PROMPTS)
        query = {
            "prompt": self.prompt,
            "temperature": self.temperature,
            "top_p": 0.9,
            "top_k": 40,
            "frequency_penalty": 0,
            "presence_penalty": 0,
            "max_tokens": 40,
            "seed": 42,
            "stop": "",
        }
        self.partial(SLIDER, "/playground/sampling?" + urlencode(query))

    def attention(self) -> None:
        """The heatmap partial: a text, and a layer and head once the page has offered them."""
        query = {"text": self.rng.choice(ATTENTION_TEXTS)}
        if Learner.heads:
            query["layer"], query["head"] = self.rng.choice(Learner.heads)
        status, html = self.partial(ATTENTION, "/playground/attention?" + urlencode(query))
        if status == 200 and not Learner.heads:
            Learner.heads = sorted(set(HEAD_LINK.findall(html)))

    def next_token(self) -> None:
        """The JSON API on the learner's own prompt, new each time: a forward pass."""
        self.own_prompt += 1
        body = json.dumps({"prompt": f"{self.prompt} {TYPED[: self.own_prompt % 60]}", "top": 10})
        self.client.post(
            "/api/next-token", data=body, headers={"Content-Type": "application/json"}, name=NEXT_TOKEN
        )

    def health(self) -> None:
        self.client.get("/healthz", name=HEALTH)

    def mock(self) -> None:
        """A mock interview of interview answers: start one, save a draft of each answer, then answer it."""
        if self.attempt is None:
            return self.start_mock()
        if self.item is None:
            self.item = next(iter(question_forms(self.page(MOCK_PAGE, self.attempt))), None)
            self.drafted = False
            if self.item is None:  # finished: the results page
                self.attempt = None
            return None
        position = self.item["fields"].get("position", "1")
        if not self.drafted and self.item["type"] == "free_text":
            fields = {"csrf_token": self.csrf, "position": position, "text": INTERVIEW_ANSWER[:80]}
            self.form(MOCK_DRAFT, f"{self.attempt}/draft", fields)
            self.drafted = True
            return None
        fields = self.answer_fields(self.item)
        if self.item["type"] == "follow_up":
            fields = [*self.item["fields"].items(), ("skip", "1")]
        status, html, headers = self.form(MOCK_ANSWER, self.item["action"], fields)
        self.item = next(iter(question_forms(html)), None) if status == 200 else None
        self.drafted = False
        if headers.get("HX-Redirect") or status != 200:
            self.attempt = None  # over (or refused): the next mock action starts another
        return None

    def start_mock(self) -> None:
        html = self.page(MOCK_HOME, "/mock")
        key = re.search(r'name="start_key" value="([0-9a-f]+)"', html)
        fields = {"csrf_token": self.csrf, "types": "free_text", "count": 3, "minutes": 30}
        if key:
            fields["start_key"] = key.group(1)
        status, _, headers = self.form(MOCK_START, "/mock", fields)
        location = headers.get("HX-Redirect") or headers.get("hx-redirect")
        if location:
            self.attempt = location
            self.item = next(iter(question_forms(self.page(MOCK_PAGE, location))), None)
            self.drafted = False


class BareVisitor(FastHttpUser):
    """The ceiling: the same learners at the same pace, each request to one trivial FastAPI route."""

    wait_time = between(0.2, 1.0)
    network_timeout = 30.0
    connection_timeout = 30.0

    @task
    def ping(self) -> None:
        self.client.get("/ping", name="GET /ping (bare FastAPI)")
