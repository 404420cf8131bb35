"""The Makefile on a learner's machine: torch's CPU build by default, a clear word when Python is missing."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import ROOT

CPU_INDEX = "https://download.pytorch.org/whl/cpu"
SETUP_FILES = ("Makefile", "requirements.txt", "requirements-dev.txt", "package.json", "package-lock.json")


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """The files `make run` installs from, copied into a folder with no virtual environment yet."""
    for name in SETUP_FILES:
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def make(checkout: Path, *args: str) -> subprocess.CompletedProcess:
    """Run make in the copy and capture what it says."""
    return subprocess.run(
        ["make", "--no-print-directory", *args], cwd=checkout, capture_output=True, text=True, timeout=60
    )


def pip_install_line(checkout: Path, *variables: str) -> str:
    """The pip command `make run` would run first (a dry run: nothing is installed)."""
    result = make(checkout, "-n", "-B", f"PYTHON={sys.executable}", *variables, ".venv/.runtime-installed")
    assert result.returncode == 0, result.stderr
    [line] = [line for line in result.stdout.splitlines() if " -m pip " in line]
    return line


def test_a_local_wheel_folder_with_torch_is_used(checkout, tmp_path_factory):
    wheels = tmp_path_factory.mktemp("wheels")
    (wheels / "torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl").touch()
    line = pip_install_line(checkout, f"LOCAL_WHEELS={wheels}")
    assert f"--find-links {wheels}" in line
    assert "--extra-index-url" not in line


def test_without_local_wheels_torch_comes_from_the_cpu_index(checkout, tmp_path_factory):
    empty = tmp_path_factory.mktemp("no-wheels")
    line = pip_install_line(checkout, f"LOCAL_WHEELS={empty}")
    assert f"--extra-index-url {CPU_INDEX}" in line
    assert "--find-links" not in line


def test_one_variable_chooses_a_cuda_build(checkout, tmp_path_factory):
    wheels = tmp_path_factory.mktemp("wheels")
    (wheels / "torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl").touch()
    cuda = "https://download.pytorch.org/whl/cu130"
    line = pip_install_line(checkout, f"LOCAL_WHEELS={wheels}", f"TORCH_INDEX={cuda}")
    assert f"--extra-index-url {cuda}" in line
    assert "--find-links" not in line  # the local CPU wheel must not win over the asked-for build


@pytest.mark.parametrize("python", ["/nowhere/python3.11", "true"])
def test_no_supported_python_stops_with_one_line(checkout, python):
    result = make(checkout, f"PYTHON={python}", "run")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "needs Python 3.11" in lines[0] and "install" in lines[0]
    assert not (checkout / ".venv").exists()


def test_the_tests_postgresql_is_installed_only_when_missing(checkout):
    missing = make(checkout, "-n", "PG_CTL=", "postgresql")
    assert missing.returncode == 0, missing.stderr
    assert "apt-get install -y -qq postgresql" in missing.stdout
    present = make(checkout, "PG_CTL=/bin/true", "postgresql")
    assert present.returncode == 0 and present.stdout == "" and present.stderr == ""
    assert "postgresql" in make(checkout, "-n", "-p", "test").stdout.split("\ntest:")[1].splitlines()[0]
