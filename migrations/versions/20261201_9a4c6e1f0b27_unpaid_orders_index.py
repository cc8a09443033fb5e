"""unpaid orders index: finding the unpaid orders whose time is over reads no other order

Revision ID: 9a4c6e1f0b27
Revises: 7b3d9e41c2a8
Create Date: 2026-12-01 15:30:00

"""
from collections.abc import Sequence

from alembic import op

revision: str = '9a4c6e1f0b27'
down_revision: str | None = '7b3d9e41c2a8'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_orders_status_reserved_until', 'orders', ['status', 'reserved_until'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_orders_status_reserved_until', table_name='orders')
