"""One change to a channel's alert actions at a time, across the connector's threads and the
processes that share its database."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from connector import store as store_module
from connector.store import ChannelBusy, ConnectorStore


def test_a_second_change_waits_for_the_first_and_then_runs(tmp_path: Path) -> None:
    store = ConnectorStore(str(tmp_path / "c.sqlite"))
    order: list[str] = []
    first_in = threading.Event()

    def first() -> None:
        with store.channel_change("T1", "C1"):
            first_in.set()
            order.append("first starts")
            time.sleep(0.2)  # the first change is slow; the second must not overlap it
            order.append("first ends")

    worker = threading.Thread(target=first)
    worker.start()
    assert first_in.wait(5)
    with store.channel_change("T1", "C1"):
        order.append("second")
    worker.join(5)

    assert order == ["first starts", "first ends", "second"]


def test_another_process_sharing_the_database_waits_too(tmp_path: Path) -> None:
    path = str(tmp_path / "c.sqlite")
    one, other = ConnectorStore(path), ConnectorStore(path)

    with one.channel_change("T1", "C1"):
        with pytest.raises(ChannelBusy), other.channel_change("T1", "C1", wait=0.1):
            pass
        with other.channel_change("T1", "C2", wait=0.1):  # another channel is free
            pass
    with other.channel_change("T1", "C1", wait=0.1):  # released
        pass


def test_the_claim_of_a_connector_that_died_expires(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(tmp_path / "c.sqlite")
    dead, alive = ConnectorStore(path), ConnectorStore(path)
    monkeypatch.setattr(store_module, "CHANNEL_CLAIM_SECONDS", -1.0)
    changes = dead.channel_change("T1", "C1")
    changes.__enter__()  # and never leaves: the process was killed

    with alive.channel_change("T1", "C1", wait=0.5):
        pass


def test_a_failed_change_releases_the_channel(tmp_path: Path) -> None:
    store = ConnectorStore(str(tmp_path / "c.sqlite"))
    with pytest.raises(RuntimeError), store.channel_change("T1", "C1"):
        raise RuntimeError("ilert failed")
    with store.channel_change("T1", "C1", wait=0.1):
        pass
