"""The stack's ceiling: a bare Flask + SQLAlchemy + Jinja page that renders one 12-row query.

    gunicorn 'bench.ceiling:create_app()'   (DATABASE_URL names the shop's database)

One route, `/`: the first 12 products by id, through the ORM, into a small template with a loop. No shop code,
no extensions, no session or locale: what any page of this stack costs at least. The load benchmark serves it
with the same gunicorn settings as the shop and divides each page's requests per second by this page's.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, render_template
from sqlalchemy import String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

ROWS = 12


class Base(DeclarativeBase):
    pass


class Product(Base):
    """The few columns of the shop's `products` table that the page shows (price: as stored)."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    price: Mapped[str] = mapped_column(String)  # NUMERIC on PostgreSQL, integer fen on SQLite: shown as is


def create_app(database_url: str | None = None) -> Flask:
    """The ceiling app on `database_url` (default: the DATABASE_URL environment variable)."""
    app = Flask(__name__, template_folder=str(Path(__file__).parent / "templates"))
    engine = create_engine(database_url or os.environ["DATABASE_URL"])

    @app.get("/")
    def page():
        with Session(engine) as session:
            products = session.scalars(select(Product).order_by(Product.id).limit(ROWS)).all()
            return render_template("ceiling.html", title="GlobalBuy", products=products)

    app.extensions["ceiling_engine"] = engine
    return app
