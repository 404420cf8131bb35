"""The ceiling: a bare FastAPI app with one trivial route, served by the same uvicorn as the lab.

`def`, not `async def`, as the lab's routes are: each request takes the same trip through the thread pool.
"""

from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
def ping() -> dict[str, bool]:
    """A constant answer."""
    return {"ok": True}


@app.get("/healthz")
def healthz() -> dict[str, str]:
    """Up (the harness waits on it as it does for the lab)."""
    return {"status": "ok"}
