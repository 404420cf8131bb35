"""The malloc settings `python -m app` applies before it loads its models."""

import ctypes
import ctypes.util
import os
import platform

import pytest

from app.memory import ARENA_MAX, SERVED_MALLOC, tune_malloc


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_glibc_accepts_the_settings_and_child_processes_inherit_them(monkeypatch):
    for variable in SERVED_MALLOC:
        monkeypatch.delenv(variable, raising=False)  # restored after the test
    assert tune_malloc() is True
    assert ctypes.CDLL(ctypes.util.find_library("c")).mallopt(-8, ARENA_MAX) == 1  # and again: idempotent
    assert {variable: os.environ[variable] for variable in SERVED_MALLOC} == SERVED_MALLOC


def test_a_setting_given_in_the_environment_is_kept(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    tune_malloc()
    assert os.environ["MALLOC_ARENA_MAX"] == "4"
