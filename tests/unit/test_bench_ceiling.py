"""The load benchmark's ceiling: a bare Flask + SQLAlchemy + Jinja page of one 12-row query."""

from __future__ import annotations

from sqlalchemy import create_engine, event, insert

from bench.ceiling import Base, Product, create_app


def test_the_ceiling_renders_the_first_12_products_by_id_in_one_query(tmp_path):
    url = f"sqlite:///{tmp_path / 'ceiling.sqlite3'}"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(Product), [{"id": n, "sku": f"SKU-{n:02d}", "name_zh": f"商品{n}", "name_en": f"Item {n}",
                                        "price": str(n * 100)} for n in range(20, 0, -1)])
    engine.dispose()
    app = create_app(url)
    statements = []
    event.listen(app.extensions["ceiling_engine"], "before_cursor_execute",
                 lambda conn, cursor, statement, *args: statements.append(statement))

    response = app.test_client().get("/")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("<li>") == 12
    assert page.index("SKU-01") < page.index("SKU-02") < page.index("SKU-12")
    assert "SKU-13" not in page and "商品1 / Item 1" in page
    assert len(statements) == 1
    app.extensions["ceiling_engine"].dispose()
