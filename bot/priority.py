"""Threads that do work nobody is waiting on run at a lower OS priority: when one of them and
an ack both want the interpreter, the kernel wakes the ack first (Linux nice is per thread)."""

from __future__ import annotations

import contextlib
import os
import threading

BACKGROUND_NICENESS = 19


def yield_to_acks() -> None:
    """Lower the calling thread's priority (a no-op where the OS does not allow it)."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICENESS)
