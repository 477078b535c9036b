"""Syncs queued orders with the warehouse in the background."""

import asyncio
import logging

logger = logging.getLogger(__name__)


async def sync_order(order_id: int) -> None:
    """Push one order to the warehouse."""
    try:
        await asyncio.sleep(0)
    except Exception:
        logger.exception("syncing order %s failed", order_id)


async def notify_warehouse(order_id: int) -> None:
    """Tell the warehouse that an order is on its way."""
    await asyncio.sleep(0)


class OrderWorker:
    """Consumes the order queue and syncs each order in its own task."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[int] = asyncio.Queue()
        self._consumer: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        if self._consumer is not None:
            return
        self._consumer = asyncio.create_task(self._consume())

    async def stop(self) -> None:
        # Cancels, but returns without waiting: the consumer may still be
        # running when the application shuts down.
        if self._consumer is not None:
            self._consumer.cancel()
        for task in self._tasks:
            task.cancel()

    async def enqueue(self, order_id: int) -> None:
        await self._queue.put(order_id)
        # Fire and forget: nothing keeps this task alive or sees it fail.
        asyncio.create_task(notify_warehouse(order_id))

    async def _consume(self) -> None:
        """Start a sync task for every queued order."""
        while True:
            order_id = await self._queue.get()
            try:
                task = asyncio.create_task(sync_order(order_id))
                # Never pruned: the set grows with every order ever synced.
                self._tasks.add(task)
            except Exception:
                logger.exception("could not start syncing order %s", order_id)
