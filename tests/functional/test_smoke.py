from tests import factories


def test_home_and_product(client, session):
    p = factories.product(session, price=__import__("decimal").Decimal("299.00"))
    factories.lot(session, p)
    r = client.get("/")
    assert r.status_code == 200, r.text
    r = client.get(f"/p/{p.sku}")
    assert r.status_code == 200, r.text
