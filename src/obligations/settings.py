"""Settings from the environment and the command line: where the store and the configuration are."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict

DEFAULT_DATABASE = "sqlite:///var/obligations.db"


def default_config_dir() -> Path:
    """OBLIGATIONS_CONFIG_DIR, else ./config, else the repository's config/ beside src/."""
    env = os.environ.get("OBLIGATIONS_CONFIG_DIR")
    if env:
        return Path(env)
    local = Path.cwd() / "config"
    if (local / "agreements").is_dir():
        return local
    return Path(__file__).resolve().parents[2] / "config"


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    database_url: str
    config_dir: Path
    workdir: Path

    @classmethod
    def load(cls, database: str | None = None, config_dir: str | None = None) -> Settings:
        url = database or os.environ.get("OBLIGATIONS_DATABASE_URL") or DEFAULT_DATABASE
        return cls(
            database_url=url, config_dir=Path(config_dir) if config_dir else default_config_dir(), workdir=Path.cwd()
        )
