"""The product page /p/<sku>: photos, facts, the lot on sale now, stock, and the price with its estimated tax."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from shop import clock
from shop.catalog.models import ConsumptionTaxCategory, NetContentUnit, ProductImage
from tests import factories
from tests.functional.helpers import by_testid


def _wine(session, **kw):
    return factories.product(
        session, name_zh="波尔多红葡萄酒", name_en="Bordeaux red wine", hs_code="2204210000",
        origin_code="305", unit_code="142", price=Decimal("299.00"), vat_rate=Decimal("0.13"),
        consumption_tax_category=ConsumptionTaxCategory.WINE, tariff_rate=Decimal("0.14"),
        net_content=Decimal("750"), net_content_unit=NetContentUnit.ML, net_weight_kg=Decimal("1.2"),
        gross_weight_kg=Decimal("1.4"), **kw)


def test_shows_name_brand_origin_net_content_and_unit_in_chinese(client, session):
    anchor = factories.brand(session, name="Anchor", name_zh="安佳")
    p = factories.product(session, name_zh="新西兰全脂奶粉", name_en="New Zealand whole milk powder",
                          brand=anchor, origin_code="609", unit_code="122", net_content=Decimal("800"))
    factories.lot(session, p)

    html = client.get(f"/p/{p.sku}").text

    assert '<html lang="zh-CN">' in html
    assert "<h1>新西兰全脂奶粉</h1>" in html
    assert "<dd>新西兰</dd>" in html  # origin 609
    assert "<dd>Anchor 安佳</dd>" in html
    assert "<dd>罐</dd>" in html  # unit 122
    assert "<dd>800 " in html
    assert f"<dd>{p.sku}</dd>" in html


def test_shows_name_origin_net_content_and_unit_in_english(english, session):
    p = factories.product(session, name_en="New Zealand whole milk powder", origin_code="609", unit_code="122",
                          net_content=Decimal("800"), net_content_unit=NetContentUnit.G)
    factories.lot(session, p)

    html = english.get(f"/p/{p.sku}").text

    assert "<h1>New Zealand whole milk powder</h1>" in html
    assert "<dd>New Zealand</dd>" in html
    assert "<dd>800 g</dd>" in html
    assert "<dd>can</dd>" in html


def test_wine_shows_net_content_in_ml_and_bottle_as_unit(english, session):
    wine = _wine(session)

    html = english.get(f"/p/{wine.sku}").text

    assert "<dd>750 ml</dd>" in html
    assert "<dd>bottle</dd>" in html
    assert "<dd>France</dd>" in html


def test_shows_every_photo_with_alt_text(client, session):
    p = factories.product(session, name_zh="新西兰全脂奶粉")
    session.add_all([ProductImage(product=p, filename="milk-back.jpg", position=1),
                     ProductImage(product=p, filename="milk-front.jpg", position=0)])
    session.flush()

    html = client.get(f"/p/{p.sku}").text

    front = html.index('src="/media/milk-front.jpg"')
    back = html.index('src="/media/milk-back.jpg"')
    assert front < back  # in position order
    assert 'alt="新西兰全脂奶粉"' in html
    assert 'alt="新西兰全脂奶粉 (2)"' in html


def test_without_photos_shows_a_placeholder_with_alt_text(english, session):
    p = factories.product(session)

    html = english.get(f"/p/{p.sku}").text

    assert 'src="/static/img/no-image.svg" alt="No photo yet"' in html


def test_shows_the_lot_with_the_earliest_best_before_first(english, session):
    p = factories.product(session)
    today = clock.today()
    factories.lot(session, p, 5, lot_no="LATER", best_before=today + timedelta(days=400))
    factories.lot(session, p, 5, lot_no="SOONER", best_before=today + timedelta(days=90))

    html = english.get(f"/p/{p.sku}").text

    assert "<dd>SOONER</dd>" in html
    assert "LATER" not in html
    assert f'<time datetime="{(today + timedelta(days=90)).isoformat()}">' in html
    assert "China–Europe Railway Express" in html  # how the lot arrived


def test_expired_and_nearly_expired_lots_are_neither_shown_nor_counted(english, session):
    p = factories.product(session)
    today = clock.today()
    factories.lot(session, p, 50, lot_no="EXPIRED", best_before=today - timedelta(days=1))
    factories.lot(session, p, 50, lot_no="NEAR", best_before=today + timedelta(days=30))
    factories.lot(session, p, 4, lot_no="GOOD", best_before=today + timedelta(days=31))

    html = english.get(f"/p/{p.sku}").text

    assert "<dd>GOOD</dd>" in html
    assert "EXPIRED" not in html and "NEAR" not in html
    assert "Only 4 left" in html


def test_in_stock(english, session):
    p = factories.product(session)
    factories.lot(session, p, 10)

    html = english.get(f"/p/{p.sku}").text

    assert "In stock" in html
    assert 'action="/cart/add"' in html


def test_low_stock_says_how_many_are_left(english, session):
    p = factories.product(session)
    factories.lot(session, p, 3)
    factories.lot(session, p, 4)

    html = english.get(f"/p/{p.sku}").text

    assert "Only 7 left" in html
    assert 'max="6"' in html  # the quantity box stops at max_per_order


def test_sold_out_has_no_add_to_cart_form(english, session):
    p = factories.product(session)
    factories.lot(session, p, 10, best_before=clock.today() - timedelta(days=1))

    html = english.get(f"/p/{p.sku}").text

    assert "Sold out" in html
    assert 'action="/cart/add"' not in html
    assert "The lot on sale now" not in html


def test_wine_price_with_estimated_tax(client, session):
    wine = _wine(session)

    html = client.get(f"/p/{wine.sku}").text

    assert '<span class="price">¥299.00</span>' in html
    assert by_testid(html, "tax-estimate") == "¥53.49"
    assert "¥23.26" in html  # consumption tax 10%, at 70%
    assert "¥30.23" in html  # VAT 13%, at 70%


def test_high_end_serum_pays_consumption_tax(client, session):
    serum = factories.product(
        session, name_en="Repair serum", hs_code="3304990099", unit_code="142", price=Decimal("800.00"),
        consumption_tax_category=ConsumptionTaxCategory.COSMETICS, tariff_rate=Decimal("0.03"),
        net_content=Decimal("50"), net_content_unit=NetContentUnit.ML, net_weight_kg=Decimal("0.1"),
        gross_weight_kg=Decimal("0.2"))

    html = client.get(f"/p/{serum.sku}").text

    assert '<span class="price">¥800.00</span>' in html
    assert by_testid(html, "tax-estimate") == "¥184.47"
    assert "(15%)" in html  # the consumption-tax rate applied


def test_watch_over_the_single_order_limit_shows_full_tax_and_a_notice(english, session):
    watch = factories.product(
        session, name_en="Automatic watch", hs_code="9102110000", unit_code="007", price=Decimal("12000.00"),
        consumption_tax_category=ConsumptionTaxCategory.WATCH, tariff_rate=Decimal("0.10"),
        vat_rate=Decimal("0.13"), net_content=Decimal("1"), net_content_unit=NetContentUnit.PIECE,
        net_weight_kg=Decimal("0.1"), gross_weight_kg=Decimal("0.3"), max_per_order=1)

    html = english.get(f"/p/{watch.sku}").text

    assert '<span class="price">¥12,000.00</span>' in html
    assert by_testid(html, "tax-estimate") == "¥6,645.00"
    assert "<dd>¥1,200.00</dd>" in html  # customs duty, charged in full
    assert "This item is over the ¥5,000 single-order limit" in html


def test_within_the_limit_there_is_no_over_limit_notice(english, session):
    p = factories.product(session, price=Decimal("300.00"))

    html = english.get(f"/p/{p.sku}").text

    assert by_testid(html, "tax-estimate") == "¥27.30"  # 300 × 13% × 70%
    assert "single-order limit" not in html


def test_related_products_of_the_same_category(client, session):
    cat = factories.category(session)
    p = factories.product(session, category=cat)
    sibling = factories.product(session, category=cat, name_zh="同类商品")
    stranger = factories.product(session)

    html = client.get(f"/p/{p.sku}").text

    assert f'href="/p/{sibling.sku}"' in html
    assert f'href="/p/{stranger.sku}"' not in html


def test_unknown_sku_is_the_404_page(english, session):
    response = english.get("/p/NO-SUCH-SKU")

    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "Back to the shop" in response.text
