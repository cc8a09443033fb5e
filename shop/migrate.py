"""Alembic configuration shared by the CLI, the app's set-up and the tests."""

from __future__ import annotations

from alembic.config import Config

from shop.config import PROJECT_ROOT


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    # %% escapes ConfigParser interpolation in passwords that contain '%'.
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    cfg.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    return cfg
