"""``python -m bench --count-commands``: every Python process of the stack counts the database
commands it sends, by command and collection, into ``$BENCH_COUNT_COMMANDS/<process>.json``.

Imported at start-up by each child process (this directory is put on ``PYTHONPATH``), and by
nothing else: the application never sees it.
"""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from pathlib import Path

_OUT = os.environ.get("BENCH_COUNT_COMMANDS")
if _OUT:
    from pymongo import monitoring

    _counts: Counter[str] = Counter()
    # sys.argv is not set yet when this runs: the command line, from /proc (``-m workers.capacity``).
    _argv = Path("/proc/self/cmdline").read_bytes().decode(errors="replace").split("\0")
    _module = next((_argv[i + 1] for i, a in enumerate(_argv[:-1]) if a == "-m"), Path(_argv[0]).name)
    _name = {"waitress": "api"}.get(_module, _module.rpartition(".")[2])

    class _Counting(monitoring.CommandListener):
        def started(self, event: monitoring.CommandStartedEvent) -> None:
            target = event.command.get(event.command_name)
            _counts[f"{event.command_name} {target if isinstance(target, str) else ''}".strip()] += 1

        def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
            pass

        def failed(self, event: monitoring.CommandFailedEvent) -> None:
            pass

    monitoring.register(_Counting())

    def _dump() -> None:
        path = Path(_OUT) / f"{_name}-{os.getpid()}.json"
        while True:
            threading.Event().wait(1.0)
            path.write_text(json.dumps(dict(_counts)))

    threading.Thread(target=_dump, daemon=True, name="bench-count-commands").start()
