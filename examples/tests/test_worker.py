import asyncio

import pytest

from app.worker import OrderWorker


@pytest.mark.asyncio
async def test_enqueue_does_not_block() -> None:
    worker = OrderWorker()
    await worker.start()
    enqueue = asyncio.create_task(worker.enqueue(42))
    await asyncio.wait_for(enqueue, timeout=1)
    await worker.stop()
