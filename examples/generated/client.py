"""Generated API client (excluded by `extend-exclude`)."""
import asyncio


def fire(coro):
    asyncio.ensure_future(coro)
