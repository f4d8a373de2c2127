"""The one place that reads the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LABELWORKS_", extra="ignore")

    data_dir: Path = Path("./labelworks-data")
    database_url: str | None = None
    # Uploads above this are refused with 413; JSON bodies have their own, smaller cap.
    max_upload_bytes: int = 50 * 1024 * 1024
    max_json_bytes: int = 10 * 1024 * 1024
    allow_private_urls: bool = False
    # Requests per second per org, all its keys and users together (token bucket); 0: off.
    rate_limit_per_second: float = 0.0
    rate_limit_burst: int = 200
    # And per credential: each API key, each signed-in person (/v1 and /work); 0: off.
    credential_rate_limit_per_second: float = 0.0
    credential_rate_limit_burst: int = 100
    lease_seconds: int = 600
    # Callbacks: a delivery thread runs inside each server process unless disabled.
    delivery_in_server: bool = True
    # 20 attempts over ~24 h: 30 s doubling to a 2 h cap, +-20 % jitter (services/delivery/backoff).
    callback_max_attempts: int = 20
    callback_backoff_base_seconds: float = 30.0
    callback_backoff_max_seconds: float = 2 * 3600.0
    callback_timeout_seconds: float = 10.0
    delivery_poll_seconds: float = 0.5
    # A claimed callback is invisible to other workers this long (raised to cover the timeout).
    delivery_lease_seconds: float = 60.0
    # Callbacks in flight at once per worker (threads sharing one HTTP connection pool).
    delivery_concurrency: int = 16
    # Base URL clients use to reach this server (for attachment_url); default: the request's.
    public_url: str | None = None
    # Encryption at rest (db/keyring.py): the master key (base64, 32 bytes) that wraps the org
    # keys; without it a key file is generated in the data dir (mode 0600).
    master_key: str | None = None
    # Benchmark only (LABELWORKS_ENCRYPTION=off): content is written as plain JSON.
    encryption: bool = True

    # Benchmarks only (benchmarks/trail_overhead.py): False stops appending to the access trail.
    trail_enabled: bool = True
    # Tests only: a file holding a clock offset in seconds (see labelworks/clock.py).
    clock_offset_file: Path | None = None

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'labelworks.db').resolve()}"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
