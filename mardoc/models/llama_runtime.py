"""The llama.cpp runtime underneath llama-cpp-python: CPU backends and thread counts.

mardoc's wheel is built with the x86 CPU variants people run as loadable backends
(``GGML_BACKEND_DL`` + a chosen ``GGML_CPU_ALL_VARIANTS`` list, scripts/build-llama.sh): at load time
llama.cpp scores the variants against the running CPU and loads the best one (AVX-512 /
VNNI / BF16 kernels on Zen 4-5 and recent Xeons, AVX2 elsewhere), so one cached wheel is
both fast and safe on another CPU. llama-cpp-python 0.3.36 does not load such backends
itself, so :func:`load_cpu_backend` does, once, before the first model. A wheel with the
CPU backend linked in (the older AVX2 build) already has it: nothing to do then.

Threads: llama.cpp's worker threads spin at their barriers. On two cores shared with
another busy process, two spinning threads slowed a call by an order of magnitude, so
:func:`threads_for_now` drops to one thread while other processes keep a core busy.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

_lock = threading.Lock()
_loaded: str | None = None


def _package_dir() -> Path:
    import llama_cpp

    return Path(llama_cpp.__file__).parent


def load_cpu_backend(variant: str = "") -> str:
    """Make sure llama.cpp has a CPU backend; returns which one (a variant name or "built-in").

    ``variant`` (e.g. ``haswell``, the AVX2 one) forces that CPU variant instead of the best
    one llama.cpp scores for this CPU: for a CPU whose best variant misbehaves, and to check
    that the wheel runs without AVX-512. It applies to the first model of the process.
    """
    global _loaded
    with _lock:
        if _loaded is not None:
            return _loaded
        pkg = _package_dir()
        # libllama links ggml by its soname; a wheel stores symlinks as copies, so loading
        # "libggml.so" would give this process a second ggml with a registry of its own
        lib = pkg / "lib"
        ggml = ctypes.CDLL(str(lib / "libggml.so.0" if (lib / "libggml.so.0").exists() else lib / "libggml.so"))
        ggml.ggml_backend_reg_count.restype = ctypes.c_size_t
        if ggml.ggml_backend_reg_count() == 0:
            folder = next((f for f in (pkg.parent / "bin", lib) if any(f.glob("libggml-cpu-*.so"))), None)
            if folder is not None and variant:
                path = folder / f"libggml-cpu-{variant}.so"
                if not path.is_file():
                    from mardoc.errors import ConfigError

                    names = sorted(p.name[len("libggml-cpu-") : -3] for p in folder.glob("libggml-cpu-*.so"))
                    raise ConfigError(f"no llama.cpp CPU variant {variant!r}; this build has {', '.join(names)}")
                ggml.ggml_backend_load.argtypes = [ctypes.c_char_p]
                ggml.ggml_backend_load.restype = ctypes.c_void_p
                with _quiet_stderr():
                    ggml.ggml_backend_load(str(path).encode())  # loads and registers it
            elif folder is not None:
                ggml.ggml_backend_load_all_from_path.argtypes = [ctypes.c_char_p]
                with _quiet_stderr():  # ggml prints "load_backend: loaded ..." itself
                    ggml.ggml_backend_load_all_from_path(str(folder).encode())
        if ggml.ggml_backend_reg_count() == 0:
            from mardoc.errors import BackendError

            raise BackendError(
                f"llama.cpp found no CPU backend for this CPU in {pkg.parent}; rebuild it with `make setup`"
            )
        _loaded = loaded_variant() or "built-in"
        log.info("llama.cpp CPU backend: %s", _loaded)
        return _loaded


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Silence what native code writes to file descriptor 2 (Python's own logging is kept)."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def loaded_variant() -> str:
    """The CPU variant library mapped into this process (e.g. ``zen4``), or ""."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return ""
    for line in maps.splitlines():
        name = line.rsplit("/", 1)[-1]
        if name.startswith("libggml-cpu-") and name.endswith(".so"):
            return name[len("libggml-cpu-") : -len(".so")]
    return ""


class _CpuSampler:
    """Busy cores of *other* processes since the last sample, from /proc/stat and our own times."""

    def __init__(self) -> None:
        self.last = self._read()

    @staticmethod
    def _read() -> tuple[float, float, float]:
        try:
            fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        except OSError:
            return (0.0, 0.0, time.monotonic())
        ticks = [float(x) for x in fields]
        idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0.0)
        busy = (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")
        own = sum(os.times()[:4])
        return (busy, own, time.monotonic())

    def others_busy(self) -> float:
        now = self._read()
        busy, own, t = (a - b for a, b in zip(now, self.last, strict=True))
        self.last = now
        return max(0.0, busy - own) / t if t > 0.05 else 0.0


_sampler: _CpuSampler | None = None


def threads_for_now(configured: int) -> int:
    """Threads for the next call: ``configured`` (0 = all cores), one fewer while other
    processes keep at least one core busy (spinning threads then wait on each other)."""
    global _sampler
    cores = os.cpu_count() or 1
    want = configured or cores
    if configured or cores < 2:
        return want  # an explicit setting is obeyed as it is
    with _lock:
        if _sampler is None:
            _sampler = _CpuSampler()
            return want
        busy = _sampler.others_busy()
    return max(1, want - 1) if busy >= 0.75 else want
