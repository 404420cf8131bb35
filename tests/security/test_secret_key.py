"""The generated secret key: made once, kept, and the same for servers that start at the same moment."""

import threading

import pytest

from app.config import Settings
from app.security.secret import resolve_secret_key


@pytest.mark.parametrize("attempt", range(10))  # a race: ten fresh tries make a lucky pass unlikely
def test_servers_starting_at_once_get_one_key(tmp_path, attempt):
    settings = Settings(var_dir=tmp_path / "var", secret_key=None)
    racers = 8
    starting = threading.Barrier(racers)
    keys: list[str] = []
    errors: list[Exception] = []

    def start() -> None:
        starting.wait()
        try:
            keys.append(resolve_secret_key(settings))
        except Exception as exc:  # noqa: BLE001 - every failure is the finding
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(keys) == racers and len(set(keys)) == 1 and len(keys[0]) >= 40
    key_file = tmp_path / "var" / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in key_file.parent.iterdir()] == ["secret_key"]  # no candidates left behind
    assert resolve_secret_key(settings) == keys[0]  # kept for the next start


def test_a_set_secret_key_is_used_and_nothing_is_written(tmp_path):
    settings = Settings(var_dir=tmp_path / "var", secret_key="from-the-environment")
    assert resolve_secret_key(settings) == "from-the-environment"
    assert not (tmp_path / "var").exists()
