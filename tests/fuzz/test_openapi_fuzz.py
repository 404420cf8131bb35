"""Schemathesis fuzzes every operation of the app's OpenAPI schema: no input may get a server error (5xx).

The app runs in-process (schemathesis's ASGI transport) on its own migrated SQLite file with the tiny test
model. Every request carries one learner's signed cookie and CSRF header, so the form endpoints are exercised
past the CSRF check, not only refused by it. Hypothesis is derandomized with a small example budget per
operation, so a run is reproducible and bounded; a failure prints the request that caused it (as curl).

Nothing is excluded. The streaming operations (generation as server-sent events, a training run's stream) are
read up to schemathesis's bounded number of events, and a generation ends by itself. The training start forms
only reserve a run (it trains once its stream is opened, which the fuzzer cannot do: it guesses run ids, so
the stream answers 404); the settings below keep any run short all the same.
"""

import json
import os

import pytest
import schemathesis
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from app.config import Settings
from app.main import create_app
from app.security.cookies import COOKIE_NAME
from app.security.csrf import HEADER as CSRF_HEADER

# Examples per operation: small enough for CI (about a minute here); FUZZ_MAX_EXAMPLES=150 digs deeper.
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "12"))
# 5xx always fails. The JSON API's answers must also match the content type and schema the OpenAPI document
# gives them; the pages answer HTML, which FastAPI's schema does not describe.
PAGE_CHECKS = [not_a_server_error]
API_CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory, tiny_model_dir):
    """One app for the whole fuzz run, with MiniLM loaded so the embedding endpoints answer for real."""
    var_dir = tmp_path_factory.mktemp("fuzz")
    settings = Settings(
        database_url=f"sqlite:///{var_dir / 'lab.db'}",
        var_dir=var_dir,
        secret_key="fuzz-secret",
        model_dir=tiny_model_dir,
        training_max_seconds=2,
        training_step_cap=5,
    )
    app = create_app(settings)
    with asgi.get_client(app):  # starts the lifespan (background loads) on schemathesis's event-loop thread
        pass
    assert app.state.sentence_encoder.wait(timeout=120), "MiniLM did not load"
    yield app
    asgi.shutdown_lifespans()  # the app's shutdown: training workers and the database engine closed


@pytest.fixture(scope="module")
def learner(fuzz_app) -> dict:
    """The cookie and CSRF header of one learner, as a browser sends them after opening the home page."""
    with asgi.get_client(fuzz_app) as client:
        response = client.get("/")
    assert response.status_code == 200
    cookie = response.cookies[COOKIE_NAME]
    body = BeautifulSoup(response.text, "html.parser").select_one("body")
    token = json.loads(body["hx-headers"])["X-CSRF-Token"]
    return {"cookies": {COOKIE_NAME: cookie}, "headers": {CSRF_HEADER: token}}


@pytest.fixture(scope="module")
def fuzz_schema(fuzz_app):
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)


def operations(schema) -> list:
    """Every operation the schema declares (whatever routes the app has, added ones included)."""
    return [result.ok() for result in schema.get_all_operations()]


def known_path_values(app) -> dict[str, list[str]]:
    """Path parameters whose random values would only ever be 404s, with the values that exist."""
    return {
        "slug": [lesson.slug for lesson in app.state.course.lessons],
        "question_id": sorted(app.state.question_bank.questions),
    }


def case_strategy(operation, known: dict[str, list[str]]):
    """Valid and invalid requests for one operation; real lessons and questions where a path names one."""
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    names = [name for name in known if "{" + name + "}" in operation.path]
    if names:
        real = st.fixed_dictionaries({name: st.sampled_from(known[name]) for name in names})
        strategies.append(
            real.flatmap(
                lambda values: operation.as_strategy(GenerationMode.POSITIVE, path_parameters=values)
            )
        )
    return st.one_of(strategies)


def fuzz(operation, learner: dict, known: dict[str, list[str]]) -> None:
    """Valid and invalid inputs for one operation, sent as the learner; every response checked."""
    strategy = case_strategy(operation, known)
    checks = API_CHECKS if operation.path.startswith("/api/") else PAGE_CHECKS

    @given(case=strategy)
    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failing request is reported as is
    )
    def check(case):
        case.call_and_validate(headers=learner["headers"], cookies=learner["cookies"], checks=checks)

    check()


def test_the_schema_covers_the_pages_and_the_api(fuzz_schema):
    paths = {operation.path for operation in operations(fuzz_schema)}
    assert {"/api/tokenize", "/api/attention", "/quiz/questions/{question_id}/answer", "/mock"} <= paths


def test_the_learner_gets_past_the_csrf_check(fuzz_app, learner):
    # Without these the form endpoints would only ever answer 403, and fuzzing them would test nothing.
    with asgi.get_client(fuzz_app) as client:
        sent = client.post("/learner/name", data={"name": "Fuzz"}, **learner)
        refused = client.post("/learner/name", data={"name": "Fuzz"}, cookies=learner["cookies"])
    assert sent.status_code == 200
    assert refused.status_code == 403


def test_no_input_gets_a_server_error(fuzz_app, fuzz_schema, learner, subtests):
    known = known_path_values(fuzz_app)
    for operation in operations(fuzz_schema):
        with subtests.test(msg=operation.label):
            fuzz(operation, learner, known)
