"""catalogue search index

The search index (shop.catalog.search) filled from every product's search text, and indexes for the
storefront's sorts and filters: listing, price, featured, category, related goods, facets.

PostgreSQL: product_search.document is a tsvector with a GIN index (both core PostgreSQL: no extension, nothing
for a DBA to allow beyond creating tables and indexes); product_search_terms stays empty. SQLite:
product_search_terms is the index; the GIN index becomes an empty partial index. The indexes are built inside
the migration's transaction, which blocks writes to `products` meanwhile (a minute or two for 100,000 products,
most of it the backfill).

Revision ID: 5e1ec7a2b0c1
Revises: c0735197292b
Create Date: 2026-12-01 11:40:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '5e1ec7a2b0c1'
down_revision: str | None = 'c0735197292b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2_000


def upgrade() -> None:
    op.create_table('product_search',
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('document', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_search_product_id_products'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('product_id', name=op.f('pk_product_search')),
    )
    op.create_table('product_search_terms',
    sa.Column('term', sa.String(length=200), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'],
                            name=op.f('fk_product_search_terms_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('term', 'product_id', name=op.f('pk_product_search_terms')),
    sqlite_with_rowid=False,
    )

    op.drop_index('ix_products_listing', table_name='products')
    op.drop_index('ix_products_price', table_name='products')
    op.drop_index('ix_products_category_id', table_name='products')
    op.create_index('ix_products_listing', 'products', ['published', 'on_positive_list', 'created_at', 'id'])
    op.create_index('ix_products_price', 'products', ['published', 'on_positive_list', 'price', 'id'])
    op.create_index('ix_products_featured', 'products',
                    ['published', 'on_positive_list', 'featured', 'created_at', 'id'])
    op.create_index('ix_products_category', 'products',
                    ['category_id', 'published', 'on_positive_list', 'created_at', 'id'])
    op.create_index('ix_products_related', 'products', ['category_id', 'featured', 'id'])
    op.create_index('ix_products_facets', 'products', ['published', 'on_positive_list', 'brand_id', 'origin_code'])

    _backfill()
    # After the backfill: one GIN build is faster than growing it row by row.
    op.create_index('ix_product_search_document', 'product_search', ['document'], postgresql_using='gin',
                    sqlite_where=sa.text('0'))


def _backfill() -> None:
    """Index every existing product's search text, a batch of products at a time (terms as the shop cuts them)."""
    from shop.catalog.search import terms_of

    connection = op.get_bind()
    postgres = connection.dialect.name == 'postgresql'
    products = sa.table('products', sa.column('id', sa.Integer), sa.column('search_text', sa.Text))
    documents = sa.table('product_search', sa.column('product_id', sa.Integer), sa.column('document', sa.Text))
    terms_table = sa.table('product_search_terms', sa.column('term', sa.String), sa.column('product_id', sa.Integer))
    if postgres:
        document = sa.func.array_to_tsvector(sa.bindparam('terms', type_=postgresql.ARRAY(sa.Text)))
    else:
        document = sa.bindparam('terms', type_=sa.Text)
    insert_document = sa.insert(documents).values(product_id=sa.bindparam('product_id'), document=document)
    last = 0
    while True:
        rows = connection.execute(
            sa.select(products.c.id, products.c.search_text).where(products.c.id > last)
            .order_by(products.c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        found = [(product_id, sorted(terms_of(text or ''))) for product_id, text in rows]
        connection.execute(insert_document, [
            {'product_id': product_id, 'terms': terms if postgres else ' ' + ' '.join(terms) + ' '}
            for product_id, terms in found
        ])
        if not postgres:
            connection.execute(sa.insert(terms_table), [
                {'term': term, 'product_id': product_id} for product_id, terms in found for term in terms
            ])
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_index('ix_products_facets', table_name='products')
    op.drop_index('ix_products_related', table_name='products')
    op.drop_index('ix_products_category', table_name='products')
    op.drop_index('ix_products_featured', table_name='products')
    op.drop_index('ix_products_price', table_name='products')
    op.drop_index('ix_products_listing', table_name='products')
    op.create_index('ix_products_category_id', 'products', ['category_id'])
    op.create_index('ix_products_price', 'products', ['published', 'price'])
    op.create_index('ix_products_listing', 'products', ['published', 'on_positive_list', 'created_at'])

    op.drop_table('product_search_terms')
    op.drop_index('ix_product_search_document', table_name='product_search')
    op.drop_table('product_search')
