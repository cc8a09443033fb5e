"""background jobs

Revision ID: 7b3d9e41c2a8
Revises: 5e1ec7a2b0c1
Create Date: 2026-12-01 12:20:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shop.db

revision: str = '7b3d9e41c2a8'
down_revision: str | None = '5e1ec7a2b0c1'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('jobs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='job_status', native_enum=False, length=12, create_constraint=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', shop.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', shop.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', shop.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('progress_done', sa.Integer(), nullable=False),
    sa.Column('progress_total', sa.Integer(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('file_path', sa.String(length=200), nullable=True),
    sa.Column('file_name', sa.String(length=200), nullable=True),
    sa.Column('file_type', sa.String(length=100), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_jobs_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    op.create_index('ix_jobs_created_by_id_created_at', 'jobs', ['created_by_id', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_jobs_created_by_id_created_at', table_name='jobs')
    op.drop_table('jobs')
