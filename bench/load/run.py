"""`python -m bench.load.run URL LEARNERS SECONDS OUT.json [--bare] [--think MIN,MAX]`: one bounded,
headless locust run in this process; every request's route, status and time are written to OUT.json.

A process of its own because locust patches the standard library with gevent when imported: the harness
that starts the servers and computes the report (bench/load/__main__.py) stays unpatched.
"""

import argparse
import json
import resource
import time

import gevent
from locust import between
from locust.env import Environment

from bench.load.learner import BareVisitor, Learner
from bench.load.routes import ROUTES

RAMP_S = 5.0  # every learner has arrived after this long (or a quarter of the run, when shorter)


def main() -> None:
    """Run the learners for the given time and write the samples."""
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("learners", type=int)
    parser.add_argument("seconds", type=float)
    parser.add_argument("out")
    parser.add_argument("--bare", action="store_true", help="hit the trivial route (the ceiling)")
    parser.add_argument("--think", default="0.2,1.0", help="seconds between a learner's actions: MIN,MAX")
    parser.add_argument(
        "--until-every-route",
        action="store_true",
        help="go on (60 s at most) until every route was requested",
    )
    args = parser.parse_args()

    user = BareVisitor if args.bare else Learner
    user.wait_time = between(*(float(s) for s in args.think.split(",")))
    samples: list[tuple[str, int, float, bool]] = []
    task_errors: list[str] = []
    env = Environment(user_classes=[user], host=args.url)

    def record(name, response, response_time, exception, **_) -> None:  # noqa: ANN001 - locust's event
        status = getattr(response, "status_code", 0) or 0
        headers = getattr(response, "headers", None) or {}
        samples.append((name, status, response_time, bool(headers.get("Retry-After"))))

    def task_error(user_instance, exception, tb) -> None:  # noqa: ANN001 - locust's event
        task_errors.append(f"{type(exception).__name__}: {exception}")

    env.events.request.add_listener(record)
    env.events.user_error.add_listener(task_error)
    runner = env.create_local_runner()
    started = time.monotonic()
    runner.start(args.learners, spawn_rate=args.learners / min(RAMP_S, args.seconds / 4))
    gevent.sleep(args.seconds)
    overtime = time.monotonic() + 60
    while args.until_every_route and time.monotonic() < overtime and set(ROUTES) - {s[0] for s in samples}:
        gevent.sleep(0.25)
    elapsed = time.monotonic() - started
    runner.stop()
    runner.quit()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open(args.out, "w") as out:
        json.dump(
            {
                "seconds": elapsed,
                "learners": args.learners,
                "samples": samples,
                "task_errors": task_errors,
                "client_cpu_s": usage.ru_utime + usage.ru_stime,
            },
            out,
        )


if __name__ == "__main__":
    main()
