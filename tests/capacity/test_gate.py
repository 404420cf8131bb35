"""The model gate on its own: slots, a bounded FIFO queue, "busy" past it, and every slot given back."""

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.capacity.gate import GateBusy, ModelGate


def run(coro_fn):
    """Run an async test body on a fresh loop in its own thread (the browser tests own the main one)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro_fn()).result(timeout=30)


def test_slots_are_taken_without_waiting_until_none_is_free():
    gate = ModelGate(2, 0)

    async def body():
        await gate.acquire()
        await gate.acquire()
        assert gate.in_flight == 2
        with pytest.raises(GateBusy):
            await gate.acquire()

    run(body)


def test_the_queue_is_bounded_and_the_next_request_is_refused_at_once():
    gate = ModelGate(1, 2)
    order: list[int] = []

    async def waiter(n: int) -> None:
        await gate.acquire()
        order.append(n)

    async def body():
        await gate.acquire()
        tasks = [asyncio.create_task(waiter(n)) for n in (1, 2)]
        await asyncio.sleep(0.01)
        assert gate.waiting == 2 and gate.in_flight == 1
        started = time.perf_counter()
        with pytest.raises(GateBusy) as refused:
            await gate.acquire()
        assert time.perf_counter() - started < 0.05  # refused, not queued
        assert 1 <= refused.value.retry_after <= 30
        assert "busy" in str(refused.value)
        gate.release()  # the slot passes to the oldest waiter...
        await asyncio.sleep(0.01)
        assert order == [1] and gate.in_flight == 1 and gate.waiting == 1
        gate.release()
        await asyncio.gather(*tasks)
        assert order == [1, 2]
        gate.release()
        assert gate.in_flight == 0 and gate.waiting == 0

    run(body)


def test_a_cancelled_waiter_leaves_the_queue_and_takes_no_slot():
    gate = ModelGate(1, 1)

    async def body():
        await gate.acquire()
        task = asyncio.create_task(gate.acquire())
        await asyncio.sleep(0.01)
        assert gate.waiting == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert gate.waiting == 0
        gate.release()
        assert gate.in_flight == 0
        await gate.acquire()  # the slot is free again

    run(body)


def test_a_waiter_cancelled_as_the_slot_reaches_it_passes_the_slot_on():
    gate = ModelGate(1, 2)

    async def body():
        await gate.acquire()
        first = asyncio.create_task(gate.acquire())
        second = asyncio.create_task(gate.acquire())
        await asyncio.sleep(0.01)
        gate.release()  # hands the slot to `first`...
        first.cancel()  # ...which gives up before it runs
        with pytest.raises(asyncio.CancelledError):
            await first
        await asyncio.wait_for(second, 1)  # the slot went on to `second`
        assert gate.in_flight == 1 and gate.waiting == 0
        gate.release()
        assert gate.in_flight == 0

    run(body)


def test_a_wait_longer_than_max_wait_is_refused():
    gate = ModelGate(1, 4, max_wait=0.05)

    async def body():
        await gate.acquire()
        with pytest.raises(GateBusy, match="within 0.05 s"):
            await gate.acquire()
        assert gate.waiting == 0 and gate.in_flight == 1

    run(body)


def test_a_slot_held_from_another_thread_blocks_and_frees_the_gate():
    gate = ModelGate(1, 1)
    assert gate.try_acquire() and not gate.try_acquire()
    threading.Timer(0.05, gate.release).start()  # released from a thread while a loop waits

    async def body():
        await asyncio.wait_for(gate.acquire(), 2)
        gate.release()

    run(body)
    assert gate.in_flight == 0


def test_retry_after_grows_with_the_work_ahead():
    gate = ModelGate(1, 8)
    assert gate.try_acquire()
    for _ in range(20):
        gate.release(held_for=2.0)  # slots have been held about 2 s each
        assert gate.try_acquire()
    assert gate.retry_after() == 2  # one slot busy, nobody queued: about one hold
    assert ModelGate(1, 0).retry_after() == 1  # never 0


def test_release_without_a_slot_is_a_bug():
    with pytest.raises(RuntimeError):
        ModelGate(1, 0).release()
