"""The catalogue and the quote over the API: the same figures as the pages."""

from __future__ import annotations

from decimal import Decimal

from tests import factories, ordering


def test_a_product_has_its_price_rates_and_stock(api, session):
    wine = ordering.stocked(session, 12, hs_code="2204210000", price=Decimal("299.00"), net_content=Decimal("750"),
                            net_content_unit="ml", consumption_tax_category="wine", unit_code="142")
    session.commit()
    body = api.get(f"/products/{wine.sku}").json
    assert body["price"] == "299.00" and body["estimated_tax"] == "53.49"
    assert (body["vat_rate"], body["consumption_tax_rate"], body["hs_code"], body["stock"]) == (
        "0.13", "0.1", "2204210000", 12)


def test_an_unknown_product_is_a_problem_in_the_language_asked_for(api):
    response = api.get("/products/NOPE", lang="en")
    assert response.status_code == 404 and response.json["code"] == "not_found"
    assert api.get("/products/NOPE").json["title"] == "未找到"


def test_the_quote_has_the_worked_example_figures(api, session):
    milk = ordering.stocked(session, price=Decimal("300.00"))
    session.commit()
    body = api.post("/quote", json={"items": [{"sku": milk.sku, "qty": 1}]}).json
    assert (body["goods_value"], body["freight"], body["duty_paid_value"]) == ("300.00", "10.00", "310.00")
    assert body["tax"] == {"customs_duty": "0.00", "vat": "28.21", "consumption_tax": "0.00", "total": "28.21"}
    assert body["total"] == "338.21" and body["limits"]["annual_remaining"] is None
    assert body["limits"]["within_single_limit"] is True


def test_listing_filters_and_pages(api, session):
    product = factories.product(session, name_zh="测试奶粉", name_en="Test formula")
    factories.lot(session, product, 5)
    session.commit()
    body = api.get("/products", query_string={"q": "测试奶粉"}).json
    assert [p["sku"] for p in body["items"]] == [product.sku] and body["has_next"] is False
    bad = api.get("/products", query_string={"page": "0", "min_price": "x"}, lang="en")
    assert bad.status_code == 422 and {e["field"] for e in bad.json["errors"]} == {"page", "min_price"}
