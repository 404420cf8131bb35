"""`WORKERS=2 python -m app`, a real server in its own process group, on SQLite and on PostgreSQL.

The workers share state only through the database: a learner made by one worker is known to the other (its
signed cookie checks out there too, one secret key), the parent migrated once before they served, and twenty
learners answering at once over HTTP lose no answer and see no server error ("database is locked" included).
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from app.config import ROOT
from app.db import make_engine
from app.lessons.content import load_course
from app.quiz.bank import load_question_bank
from app.quiz.models import Answer
from tests.postgres import fresh_database

LEARNERS = 20
ANSWERS_EACH = 5
START_TIMEOUT = 240  # two workers each load the model and the course on a shared, busy 2-core machine


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Served:
    """The server process, its address, its database and its log."""

    process: subprocess.Popen
    port: int
    database_url: str
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> list[psutil.Process]:
        """uvicorn's worker processes (spawned children), not multiprocessing's resource tracker."""
        children = psutil.Process(self.process.pid).children()
        return [child for child in children if "spawn_main" in " ".join(child.cmdline())]


def _wait_until_serving(served: Served) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise AssertionError(f"the server exited: {served.log.read_text()[-3000:]}")
        try:
            ready = httpx.get(f"{served.url}/healthz", timeout=5).status_code == 200
        except httpx.HTTPError:
            ready = False
        if ready and len(served.workers()) == 2:
            return
        time.sleep(0.5)
    raise AssertionError(f"the server did not come up: {served.log.read_text()[-3000:]}")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def served(request, tmp_path_factory, tiny_model_dir) -> Iterator[Served]:
    """`python -m app` with WORKERS=2 on a free port and a fresh database; no SECRET_KEY (one is made)."""
    var_dir = tmp_path_factory.mktemp("workers-var")
    with _database(request, var_dir) as database_url:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
        env.update(
            WORKERS="2",
            PORT=str(port),
            DATABASE_URL=database_url,
            VAR_DIR=str(var_dir),
            MODEL_DIR=str(tiny_model_dir),
        )
        log = var_dir / "server.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "app"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        served = Served(process, port, database_url, log)
        try:
            _wait_until_serving(served)
            yield served
        finally:
            process.send_signal(signal.SIGTERM)  # uvicorn's parent stops its workers, then itself
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _database(request, var_dir: Path):
    if request.param == "sqlite":
        from contextlib import nullcontext

        return nullcontext(f"sqlite:///{var_dir / 'lab.db'}")
    return fresh_database(request.getfixturevalue("lab_postgresql_proc"))


def _csrf(html: str) -> str:
    return json.loads(BeautifulSoup(html, "html.parser").select_one("body")["hx-headers"])["X-CSRF-Token"]


def _connections_to_each_worker(served: Served) -> dict[int, http.client.HTTPConnection]:
    """Open keep-alive connections until one is held by each worker (the kernel hands them out)."""
    held: dict[int, http.client.HTTPConnection] = {}
    spare = []
    for _ in range(60):
        connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
        connection.request("GET", "/healthz")
        connection.getresponse().read()
        local_port = connection.sock.getsockname()[1]
        for worker in served.workers():
            if any(c.raddr and c.raddr.port == local_port for c in worker.net_connections("tcp")):
                if worker.pid in held:
                    spare.append(connection)
                else:
                    held[worker.pid] = connection
        if len(held) == 2:
            break
    for connection in spare:
        connection.close()
    return held


def test_a_learner_made_by_one_worker_is_known_to_the_other(served):
    connections = _connections_to_each_worker(served)
    assert len(connections) == 2, "two worker processes should each serve connections"
    first, second = connections.values()

    first.request("GET", "/")
    response = first.getresponse()
    cookie = response.getheader("set-cookie").split(";")[0]
    token = _csrf(response.read().decode())
    form = "display_name=Ada+Lovelace"
    headers = {"Cookie": cookie, "X-CSRF-Token": token, "Content-Type": "application/x-www-form-urlencoded"}
    first.request("POST", "/learner/name", body=form, headers=headers)
    response = first.getresponse()
    response.read()
    assert response.status == 303

    second.request("GET", "/", headers={"Cookie": cookie})
    response = second.getresponse()
    body = response.read().decode()
    assert response.status == 200
    assert response.getheader("set-cookie") is None, "the other worker must accept the signed cookie"
    assert "Ada Lovelace" in body
    assert _csrf(body) == token  # same secret key in both workers
    for connection in connections.values():
        connection.close()


def test_the_parent_migrated_once_before_the_workers_served(served):
    log = served.log.read_text()
    revisions = list((ROOT / "migrations" / "versions").glob("*.py"))
    assert log.count("Running upgrade") == len(revisions), log[-3000:]
    assert log.index("Running upgrade") < log.index("Started parent process")


def _single_choice_questions() -> list[str]:
    bank = load_question_bank(ROOT / "content" / "questions", load_course(ROOT / "content"))
    return [q.id for q in bank.questions.values() if q.type == "single"][:ANSWERS_EACH]


def test_many_learners_answering_at_once_lose_nothing(served):
    questions = _single_choice_questions()
    assert len(questions) == ANSWERS_EACH
    start = threading.Barrier(LEARNERS)
    statuses: list[int] = []
    problems: list[str] = []

    def learner() -> None:
        with httpx.Client(base_url=served.url, timeout=120) as client:
            try:
                token = _csrf(client.get("/").text)
                start.wait(timeout=120)
                for question_id in questions:
                    card = BeautifulSoup(client.get(f"/quiz/questions/{question_id}").text, "html.parser")
                    key = card.select_one("input[name=submission_key]")["value"]
                    response = client.post(
                        f"/quiz/questions/{question_id}/answer",
                        data={"submission_key": key, "choice": "0", "context": "lesson"},
                        headers={"X-CSRF-Token": token},
                    )
                    statuses.append(response.status_code)
                    if response.status_code != 200:
                        problems.append(response.text[:300])
            except Exception as exc:  # noqa: BLE001 - every failure is the finding
                problems.append(repr(exc))

    threads = [threading.Thread(target=learner) for _ in range(LEARNERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert problems == []
    assert statuses == [200] * (LEARNERS * ANSWERS_EACH)
    engine = make_engine(served.database_url)
    try:
        with engine.connect() as connection:
            per_learner = connection.execute(
                select(Answer.learner_id, func.count(func.distinct(Answer.question_id))).group_by(
                    Answer.learner_id
                )
            ).all()
    finally:
        engine.dispose()
    assert len(per_learner) == LEARNERS
    assert {count for _, count in per_learner} == {ANSWERS_EACH}
