"""The orders service: a FastAPI app whose lifespan starts and stops the
background scheduler and the order worker."""

from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.scheduler import scheduler
from app.worker import OrderWorker

worker = OrderWorker()


@asynccontextmanager
async def lifespan(app: FastAPI):
    await scheduler.start()
    await worker.start()
    try:
        yield
    finally:
        await worker.stop()
        await scheduler.stop()


app = FastAPI(lifespan=lifespan)


@app.post("/orders/{order_id}/sync")
async def sync_order(order_id: int) -> dict[str, str]:
    await worker.enqueue(order_id)
    return {"status": "queued"}


@app.get("/health")
async def health() -> dict[str, bool]:
    return {"scheduler": scheduler.running}
