"""statusline.process: stdin within its budget (an alarm, no ``select``), with a watchdog."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from types import FrameType

import pytest

from statusline import process

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGALRM and pipes")


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    read_end, write_end = os.pipe()
    yield read_end, write_end
    for fd in (read_end, write_end):
        try:
            os.close(fd)
        except OSError:
            pass


def test_reads_until_the_writer_closes(pipe: tuple[int, int]) -> None:
    read_end, write_end = pipe
    os.write(write_end, b'{"a": 1}')
    os.close(write_end)
    assert process.read_stdin(read_end, 1 << 20, 1.0) == b'{"a": 1}'


def test_a_writer_that_never_closes_costs_the_budget_and_keeps_what_it_sent(
        pipe: tuple[int, int]) -> None:
    read_end, write_end = pipe
    os.write(write_end, b"partial")
    started = time.monotonic()
    data = process.read_stdin(read_end, 1 << 20, 0.2)
    took = time.monotonic() - started
    assert data == b"partial"
    assert 0.15 <= took < 1.0


def test_input_over_the_limit_is_dropped_whole(pipe: tuple[int, int]) -> None:
    read_end, write_end = pipe
    os.write(write_end, b"x" * 2000)
    os.close(write_end)
    assert process.read_stdin(read_end, 1000, 1.0) == b""


def test_an_armed_watchdog_keeps_its_deadline(pipe: tuple[int, int]) -> None:
    read_end, _ = pipe
    fired: list[float] = []

    def on_timeout(signum: int, frame: FrameType | None) -> None:
        fired.append(time.monotonic())

    started = time.monotonic()
    previous = process.arm_watchdog(0.15, on_timeout)
    try:
        process.read_stdin(read_end, 1 << 20, 5.0)  # the watchdog comes first
        deadline = time.monotonic() + 1.0
        while not fired and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        process.disarm_watchdog(previous)
    assert fired, "the watchdog never ran"
    assert fired[0] - started < 1.0


def test_the_watchdog_still_fires_after_a_quick_read(pipe: tuple[int, int]) -> None:
    read_end, write_end = pipe
    os.write(write_end, b"{}")
    os.close(write_end)
    calls: list[int] = []
    previous = process.arm_watchdog(0.2, lambda signum, frame: calls.append(1))
    try:
        assert process.read_stdin(read_end, 1 << 20, 0.05) == b"{}"
        time.sleep(0.4)
    finally:
        process.disarm_watchdog(previous)
    assert calls == [1]


def test_a_late_alarm_after_the_read_is_harmless(pipe: tuple[int, int]) -> None:
    read_end, write_end = pipe
    os.write(write_end, b"{}")
    os.close(write_end)
    assert process.read_stdin(read_end, 1 << 20, 0.01) == b"{}"
    time.sleep(0.05)  # no alarm left armed to interrupt anything


def test_outside_the_main_thread_the_budget_still_holds(pipe: tuple[int, int]) -> None:
    read_end, write_end = pipe
    os.write(write_end, b"abc")
    result: list[bytes] = []
    worker = threading.Thread(target=lambda: result.append(process.read_stdin(read_end, 100,
                                                                              0.2)))
    started = time.monotonic()
    worker.start()
    worker.join(5.0)
    assert result == [b"abc"]
    assert time.monotonic() - started < 2.0
