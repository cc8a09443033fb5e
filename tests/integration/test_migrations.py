"""The migrations build exactly the schema the models describe, and can be taken down and up again."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

import shop.models
from shop.migrate import alembic_config
from tests.dbutil import fresh_database


def _diff(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, shop.models.Base.metadata)
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def _current_revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def test_the_migrated_database_matches_the_models(database_url):
    assert _diff(database_url) == []


def test_the_test_database_is_at_the_single_head(database_url):
    script = ScriptDirectory.from_config(alembic_config(database_url))
    assert len(script.get_heads()) == 1
    assert _current_revision(database_url) == script.get_current_head()


def test_downgrade_to_base_and_upgrade_to_head_again(tmp_path):
    with fresh_database(tmp_path, "migr") as url:
        config = alembic_config(url)
        command.upgrade(config, "head")
        assert _tables(url) == set(shop.models.Base.metadata.tables)

        command.downgrade(config, "base")
        assert _tables(url) == set()
        assert _current_revision(url) is None

        command.upgrade(config, "head")
        assert _tables(url) == set(shop.models.Base.metadata.tables)
        assert _diff(url) == []
