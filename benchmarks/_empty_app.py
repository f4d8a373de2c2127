"""The machine's baseline: an empty FastAPI endpoint under the same uvicorn settings."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/v1/task/categorization")
def empty() -> dict[str, str]:
    return {"task_id": "x"}
