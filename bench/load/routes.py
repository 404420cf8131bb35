"""The routes of the simulated learners' mix, as the report names them (no locust here: the harness that
imports this must stay free of gevent's patching)."""

HOME = "GET /"
LESSON = "GET /lessons/[slug]"
QUIZ = "POST /quiz/questions/[id]/answer"
TOKENIZE = "POST /playground/tokenizer (keystroke)"
SLIDER = "GET /playground/sampling (slider, htmx)"
ATTENTION = "GET /playground/attention (heatmap, htmx)"
NEXT_TOKEN = "POST /api/next-token"
HEALTH = "GET /healthz"
MOCK_HOME = "GET /mock"
MOCK_START = "POST /mock (start)"
MOCK_PAGE = "GET /mock/[id]"
MOCK_DRAFT = "POST /mock/[id]/draft"
MOCK_ANSWER = "POST /mock/[id]/answer"
ROUTES = (
    HOME,
    LESSON,
    QUIZ,
    TOKENIZE,
    SLIDER,
    ATTENTION,
    NEXT_TOKEN,
    HEALTH,
    MOCK_HOME,
    MOCK_START,
    MOCK_PAGE,
    MOCK_DRAFT,
    MOCK_ANSWER,
)
