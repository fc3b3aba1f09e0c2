"""Giving freed memory back to the operating system after a large piece of work."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import cache


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None  # glibc only


def release_free_memory() -> None:
    """Collect garbage, then ask the C allocator to hand free heap pages back.

    CPython frees what an import plan held (a 12,000-row file's plan peaks at ~250 MB),
    but glibc keeps most of the pages: a process importing file after file grew by about
    150 MB a file (the benchmark's 100,000 rows in 8 files peaked at 2.5 GB). Trimmed
    after each file it stays near one file's peak. A no-op where there is no glibc.
    """
    gc.collect()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
