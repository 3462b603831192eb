"""Thread choice for llama.cpp: all cores on an idle machine, one fewer while it is busy."""

from __future__ import annotations

import os

import pytest

from mardoc.models import llama_runtime as rt


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(rt, "_sampler", rt._CpuSampler())


def test_idle_machine_uses_every_core(two_cores: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rt._CpuSampler, "others_busy", lambda self: 0.1)
    assert rt.threads_for_now(0) == 2


def test_busy_machine_drops_a_thread(two_cores: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rt._CpuSampler, "others_busy", lambda self: 1.0)
    assert rt.threads_for_now(0) == 1


def test_an_explicit_thread_count_is_obeyed(two_cores: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rt._CpuSampler, "others_busy", lambda self: 2.0)
    assert rt.threads_for_now(2) == 2


def test_the_sampler_sees_another_busy_process() -> None:
    import subprocess
    import sys
    import time

    sampler = rt._CpuSampler()
    spin = subprocess.Popen([sys.executable, "-c", "import time\nt=time.time()\nwhile time.time()-t<1.5: pass"])
    time.sleep(1.2)
    busy = sampler.others_busy()
    spin.wait()
    assert busy > 0.5  # one core kept busy by the other process (this one slept)
