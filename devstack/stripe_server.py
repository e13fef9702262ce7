"""Serve localstripe on a single host/port, without on-disk persistence.

Usage: ``python -m devstack.stripe_server --port P [--host 127.0.0.1]``
"""

from __future__ import annotations

import argparse
import logging
import sys

from aiohttp import web


def _disable_pickle_persistence() -> None:
    """Turn localstripe's store persistence into a no-op for this process.

    localstripe rewrites its whole store to the fixed, machine-wide file
    /tmp/localstripe.pickle on every single write: that gets slower as objects
    pile up, and every instance on the machine (parallel test runs, a dev
    server next to the tests) would clobber the same file. We always start
    from an empty store, so persistence buys us nothing.
    """
    from localstripe.resources import Store

    def _no_dump(self: Store) -> None:
        return None

    Store.dump_to_disk = _no_dump  # type: ignore[method-assign]


def _access_logger() -> logging.Logger:
    """Return the aiohttp access logger configured like localstripe's start()."""
    logger = logging.getLogger("aiohttp.access")
    logger.setLevel(logging.DEBUG)
    # StreamHandler() writes to stderr, which the launcher sends to the log file.
    logger.addHandler(logging.StreamHandler(sys.stderr))
    return logger


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and serve localstripe until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)

    # Patch before importing the app: importing localstripe.server does not
    # write, but nothing must ever reach the shared pickle file.
    _disable_pickle_persistence()
    from localstripe.server import app

    # Deliberately no store.try_load_from_disk(): every run starts from scratch.
    # run_app binds only the given host (localstripe's start() binds '::', i.e.
    # every interface) and turns SIGTERM/SIGINT into a graceful exit.
    web.run_app(
        app,
        host=args.host,
        port=args.port,
        access_log=_access_logger(),
        print=None,
        # Short grace period so stop() is quick even with pending webhooks.
        shutdown_timeout=5.0,
    )


if __name__ == "__main__":
    main()
