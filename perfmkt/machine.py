"""What the machine offers a run: the CPUs this process may use and perfmkt's cache folder."""

from __future__ import annotations

import os
from pathlib import Path


def usable_cpus() -> int:
    """The CPUs this process may use (its affinity, where the system has one)."""
    count = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if count is not None:
        return max(count() or 1, 1)
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # macOS, Windows
        return max(os.cpu_count() or 1, 1)


def cache_folder() -> Path:
    """The platform's cache folder for perfmkt (``platformdirs``: ``$XDG_CACHE_HOME/perfmkt``,
    ``~/.cache/perfmkt`` on Linux, ``~/Library/Caches/perfmkt`` on macOS)."""
    from platformdirs import user_cache_dir  # only where a cache or a log is written

    return Path(user_cache_dir("perfmkt", appauthor=False))
