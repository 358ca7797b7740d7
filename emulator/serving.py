"""Serve a WSGI app with waitress in a background thread; stop it without leaving threads behind."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from waitress.server import create_server

WsgiApp = Callable[..., Any]


class ServedApp:
    """A WSGI app listening on `host:port` (0 picks a free port) until `stop()`."""

    def __init__(
        self,
        app: WsgiApp,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        threads: int = 64,
        name: str = "app",
    ) -> None:
        # Nested calls (fake Slack -> connector -> fake Slack) each hold a worker thread while they
        # wait, so the pool is sized well above the demo's concurrency: with 16, fifty people
        # clicking at once held every thread of fake Slack, the connector's calls back queued
        # behind them and the clicks timed out (tests/resilience/test_concurrency.py). N threads
        # serve N - 1 simultaneous clicks; idle ones cost no CPU.
        # The server's own socket map, so that a port that cannot be bound leaves nothing open:
        # waitress has made its socket and wake-up pipe by then and keeps them in the map.
        sockets: dict[int, Any] = {}
        try:
            self._server = create_server(
                app,
                map=sockets,
                host=host,
                port=port,
                threads=threads,
                ident=name,
                channel_timeout=30,
                connection_limit=512,
                clear_untrusted_proxy_headers=True,
            )
        except OSError:
            for channel in list(sockets.values()):
                channel.close()
            raise
        self.name = name
        self.host = host
        self.port: int = self._server.effective_port  # type: ignore[union-attr]
        self._thread = threading.Thread(target=self._run, name=f"serve-{name}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> ServedApp:
        self._thread.start()
        return self

    def _run(self) -> None:
        # Closing the listening socket while the loop polls it ends the loop with an OSError.
        with contextlib.suppress(OSError):
            self._server.run()

    def stop(self, timeout: float = 5.0) -> None:
        """Close the listener and every open keep-alive connection, then join the threads."""
        server = self._server
        if self._thread.is_alive():
            # Run the closing inside the serving loop, woken through its own trigger, so the loop
            # notices its empty socket map at once instead of after its next poll timeout.
            # A worker finishing a response pulls the same trigger; that wake-up may run the
            # closing (and close the trigger) before our own write, which then fails harmlessly.
            with contextlib.suppress(OSError):
                server.trigger.pull_trigger(self._close_channels)  # type: ignore[union-attr]
            self._thread.join(timeout)
        else:
            self._close_channels()
        server.task_dispatcher.shutdown(timeout=timeout)  # type: ignore[union-attr]

    def _close_channels(self) -> None:
        # Keep-alive channels stay in the loop's socket map after the listener closes, which
        # would keep the serving thread alive, so every dispatcher is closed, not just ours.
        for channel in list(self._server._map.values()):  # type: ignore[union-attr]
            with contextlib.suppress(OSError):
                channel.close()


def quiet_waitress(verbose: bool = False) -> None:
    """Waitress logs queue depth warnings under load; only `--verbose` wants them."""
    logging.getLogger("waitress").setLevel(logging.INFO if verbose else logging.ERROR)
