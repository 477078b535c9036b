"""Periodic jobs: refresh the exchange rates every few minutes."""

import asyncio
import contextlib
import logging

logger = logging.getLogger(__name__)


async def refresh_rates() -> None:
    """Fetch the latest exchange rates and store them."""
    await asyncio.sleep(0)


class RefreshScheduler:
    """Runs `refresh_rates` every `interval` seconds until stopped."""

    def __init__(self, interval: float = 300.0) -> None:
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        if self._task is not None and not self._task.done():
            return
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def _loop(self) -> None:
        """Refresh the exchange rates until cancelled."""
        while True:
            try:
                await refresh_rates()
            except Exception:
                logger.exception("refreshing the exchange rates failed")
            await asyncio.sleep(self.interval)


scheduler = RefreshScheduler()
