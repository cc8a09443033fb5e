"""Orders over the API: placed within the customs rules, paid the way a mobile app pays (Stripe's SDK confirms
the PaymentIntent, Stripe's webhook completes the order), listed, read with their timeline, cancelled."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from shop.accounts.models import Role
from shop.api import orders as orders_api
from shop.customs.models import Declaration, DeclarationStatus
from shop.extensions import limiter
from shop.inventory.models import Lot
from shop.money import to_fen
from shop.orders import services as orders
from shop.orders.models import Order, OrderStatus, ReservationState
from shop.payments.gateway import StripeGateway
from shop.payments.models import Payment, Refund
from tests import factories
from tests.localstripe import CARD_3DS, CARD_OK, LocalStripe, free_port
from tests.ordering import ID_A, buyer, mark_paid, place, stocked

D = Decimal
WEBHOOK = "/payments/stripe/webhook"
BUYER = {"name": "张三", "id_number": ID_A, "phone": "13812345678"}
ADDRESS = {"consignee": "李四", "phone": "13987654321", "district_code": "220102", "street": "人民大街 1 号"}


@pytest.fixture
def ls(localstripe: LocalStripe) -> LocalStripe:
    localstripe.reset()
    return localstripe


def order_body(*items, **changes) -> dict:
    """A new buyer and a new address, the buyer confirming they pay; `items` are (product, qty) pairs."""
    body = {"items": [{"sku": p.sku, "qty": q} for p, q in items], "identity": dict(BUYER),
            "consignee": dict(ADDRESS), "buyer_is_payer": True}
    body.update(changes)
    return body


def confirm_like_the_sdk(ls: LocalStripe, intent_id: str, card: str = CARD_OK):
    """What the mobile SDK does with the client secret: attach the card and confirm the PaymentIntent.
    (localstripe cannot confirm with a payment_method in one call, so the card is attached first.)"""
    ls.client.v1.payment_intents.update(intent_id, params={"payment_method": ls.payment_method(card)})
    return ls.client.v1.payment_intents.confirm(intent_id)


def deliver_webhook(api, ls: LocalStripe, intent_id: str, event_type: str = "payment_intent.succeeded"):
    payload, headers = ls.intent_event(intent_id, event_type)
    response = api.client.post(WEBHOOK, data=payload, headers=headers)
    assert response.status_code == 200, response.data
    return response.json["outcome"]


def placed(api, session, ls, *items, **changes):
    """POST /orders as the signed-in user; returns the 201 body."""
    response = api.post("/orders", json=order_body(*items, **changes))
    assert response.status_code == 201, response.json
    return response.json


def paid_order(api, session, ls, product, qty: int = 1) -> dict:
    body = placed(api, session, ls, (product, qty))
    confirm_like_the_sdk(ls, body["payment"]["intent_id"])
    assert deliver_webhook(api, ls, body["payment"]["intent_id"]) == "completed"
    return body


def order_row(session, number: str) -> Order:
    session.expire_all()
    return session.scalar(select(Order).where(Order.number == number))


def order_count(session) -> int:
    return session.scalar(select(func.count(Order.id)))


# --- placing and paying -----------------------------------------------------------------------------


def test_an_order_is_placed_paid_by_the_sdk_and_completed_by_the_webhook(api, session, ls):
    milk = stocked(session, 10, price=D("300.00"))
    user = api.sign_in(session)

    body = placed(api, session, ls, (milk, 1))

    # The figures of the worked example (milk powder 300 + 10 freight), the buyer's and consignee's data masked.
    assert body["status"] == "awaiting_payment" and body["number"].startswith("GB")
    assert (body["goods_value"], body["freight"], body["duty_paid_value"], body["total"]) == (
        "300.00", "10.00", "310.00", "338.21")
    assert body["tax"] == {"customs_duty": "0.00", "vat": "28.21", "consumption_tax": "0.00", "total": "28.21"}
    (line,) = body["lines"]
    assert (line["sku"], line["qty"], line["unit_price"], line["duty_paid_value"], line["tax"]) == (
        milk.sku, 1, "300.00", "310.00", "28.21")
    assert body["limits"] == {"single_order_limit": "5000.00", "within_single_limit": True,
                              "full_tax_single_item": False, "annual_limit": "26000.00",
                              "annual_remaining": "25690.00"}  # the unpaid order holds its share already
    assert body["buyer"] == {"name": "张三", "id_number_masked": "3604**********0071", "phone_masked": "138****5678"}
    assert body["consignee"]["phone_masked"] == "139****4321" and body["consignee"]["division_code"] == "220102"
    assert body["reserved_until"] is not None and body["cancellable"] is True

    # An unconfirmed PaymentIntent, recorded as the order's payment; its client secret is for the SDK.
    payment = body["payment"]
    assert payment["client_secret"].startswith(payment["intent_id"] + "_secret_")
    assert (payment["publishable_key"], payment["amount"], payment["currency"]) == (ls.publishable_key, "338.21",
                                                                                    "CNY")
    order = order_row(session, body["number"])
    assert order.user_id == user.id and order.locale == "zh_CN"
    (row,) = session.scalars(select(Payment).where(Payment.order_id == order.id))
    assert (row.intent_id, row.status, row.amount) == (payment["intent_id"], "requires_payment_method", D("338.21"))
    assert (row.payer_name, row.payer_id_masked) == ("张三", "3604**********0071")
    stripe_pi = ls.client.v1.payment_intents.retrieve(payment["intent_id"])
    assert (stripe_pi.amount, stripe_pi.currency, stripe_pi.status) == (to_fen(D("338.21")), "cny",
                                                                        "requires_payment_method")
    assert stripe_pi.metadata["order_number"] == body["number"]

    assert confirm_like_the_sdk(ls, payment["intent_id"]).status == "succeeded"
    assert api.get(f"/orders/{body['number']}").json["status"] == "awaiting_payment"  # until Stripe tells us
    assert deliver_webhook(api, ls, payment["intent_id"]) == "completed"
    assert deliver_webhook(api, ls, payment["intent_id"]) == "already complete"  # a second event: no effect

    detail = api.get(f"/orders/{body['number']}").json
    assert detail["status"] == "paid" and detail["paid_at"] is not None and detail["reserved_until"] is None
    order = order_row(session, body["number"])
    assert [d.status for d in session.scalars(select(Declaration).where(Declaration.order_id == order.id))] == [
        DeclarationStatus.PENDING]
    assert {r.state for r in orders.order_reservations(session, order)} == {ReservationState.COMMITTED}
    assert [e.to_status for e in order.events] == [OrderStatus.AWAITING_PAYMENT, OrderStatus.PAID]
    row = session.scalar(select(Payment).where(Payment.order_id == order.id))
    assert row.status == "succeeded" and row.succeeded_at is not None


def test_a_card_that_asks_for_3d_secure_pays_once_the_sdk_has_authenticated(api, session, ls):
    milk = stocked(session, 10)
    api.sign_in(session)
    body = placed(api, session, ls, (milk, 2))
    intent_id = body["payment"]["intent_id"]

    assert confirm_like_the_sdk(ls, intent_id, CARD_3DS).status == "requires_action"
    ls.authenticate(intent_id)  # the SDK's 3-D Secure screen
    assert deliver_webhook(api, ls, intent_id) == "completed"

    assert api.get(f"/orders/{body['number']}").json["status"] == "paid"


def test_a_new_buyer_and_address_can_be_saved_and_then_used_by_id(api, session, ls):
    milk = stocked(session, 10)
    api.sign_in(session)
    placed(api, session, ls, (milk, 1), save_identity=True, save_address=True)
    (identity,) = api.get("/me/identities").json["items"]
    (address,) = api.get("/me/addresses").json["items"]

    body = placed(api, session, ls, (milk, 1), identity=None, identity_id=identity["id"], consignee=None,
                  consignee_id=address["id"])

    assert body["buyer"]["id_number_masked"] == "3604**********0071"
    assert body["consignee"]["address"] == "吉林省长春市南关区人民大街 1 号"
    order = order_row(session, body["number"])
    assert order.buyer_id_digest == orders.security.digest(ID_A)


def test_a_new_buyer_is_not_saved_unless_asked(api, session, ls):
    milk = stocked(session, 10)
    api.sign_in(session)
    placed(api, session, ls, (milk, 1))
    assert api.get("/me/identities").json["items"] == [] and api.get("/me/addresses").json["items"] == []


def test_the_order_answers_in_english_when_asked(api, session, ls):
    milk = stocked(session, 10)
    api.sign_in(session)
    api.language = "en"
    body = placed(api, session, ls, (milk, 1))
    assert body["lines"][0]["name"] == milk.name_en and body["status_label"] == "Awaiting payment"
    assert order_row(session, body["number"]).locale == "en"


# --- refusals ------------------------------------------------------------------------------------------


def test_over_the_single_order_limit_the_problem_has_the_figures(api, session, ls):
    milk = stocked(session, 20, price=D("300.00"), max_per_order=20)
    api.sign_in(session)

    response = api.post("/orders", json=order_body((milk, 17)), lang="en")  # 17 × ¥300 = ¥5,100, free freight

    assert response.status_code == 422
    problem = response.json
    assert problem["code"] == "single_order_limit_exceeded" and problem["title"] == "Over the single-order limit"
    assert (problem["duty_paid_value"], problem["single_order_limit"], problem["over_by"]) == (
        "5100.00", "5000.00", "100.00")
    assert problem["detail"] == (
        "This order's duty-paid value of ¥5,100.00 is over the ¥5,000.00 single-order limit by ¥100.00. Please "
        "remove goods worth at least ¥100.00, or split them into separate orders.")
    chinese = api.post("/orders", json=order_body((milk, 17))).json  # Chinese by default
    assert chinese["title"] == "超过单次交易限值"
    assert chinese["detail"] == ("此订单完税价格 ¥5,100.00，超出 ¥5,000.00 单次交易限值 ¥100.00。"
                                 "请至少减少 ¥100.00 的商品，或分开下单。")
    assert order_count(session) == 0 and session.scalar(select(func.count(Payment.id))) == 0


def test_one_unit_over_the_limit_goes_through_with_full_tax(api, session, ls):
    watch = stocked(session, 2, price=D("5200.00"), max_per_order=1)
    api.sign_in(session)
    body = placed(api, session, ls, (watch, 1))
    assert body["limits"]["within_single_limit"] is False and body["limits"]["full_tax_single_item"] is True
    assert D(body["tax"]["customs_duty"]) > 0


def test_over_the_annual_limit_the_problem_has_the_figures(api, session, ls):
    expensive = stocked(session, 10, price=D("4999.00"), max_per_order=1)
    other = factories.user(session)
    for _ in range(5):  # ¥24,995.00 used under this ID number, by another account
        mark_paid(session, place(session, other, [(expensive, 1)], who=buyer(ID_A)))
    product = stocked(session, 10, price=D("1100.00"))
    session.commit()
    api.sign_in(session)

    response = api.post("/orders", json=order_body((product, 1)), lang="en")

    assert response.status_code == 422
    problem = response.json
    assert problem["code"] == "annual_limit_exceeded"
    assert problem["detail"] == (
        "This order would cross the ¥26,000.00 annual limit for this ID number by ¥95.00: ¥24,995.00 is already "
        "used this year and ¥1,005.00 remains.")
    assert (problem["annual_limit"], problem["used"], problem["remaining"], problem["over_by"],
            problem["duty_paid_value"]) == ("26000.00", "24995.00", "1005.00", "95.00", "1100.00")
    assert api.post("/orders", json=order_body((product, 1))).json["detail"] == (
        "此订单将使该身份证号码超出 ¥26,000.00 的个人年度交易限值 ¥95.00：本年度已使用 ¥24,995.00，还剩 ¥1,005.00。")
    assert order_count(session) == 5


def test_an_invalid_id_number_is_refused_naming_the_field(api, session, ls):
    milk = stocked(session, 10)
    api.sign_in(session)
    body = order_body((milk, 1), identity={**BUYER, "id_number": "360426199101010072"})

    english = api.post("/orders", json=body, lang="en").json
    chinese = api.post("/orders", json=body).json

    assert english["code"] == "invalid_id_number" and english["status"] == 422
    message = "This ID number is not valid: its check character does not match. Please check it."
    assert english["detail"] == message and english["errors"] == [{"field": "identity.id_number", "message": message}]
    assert chinese["detail"] == "身份证号码无效：校验码不符，请检查。"
    assert order_count(session) == 0


def test_not_enough_stock_says_how_many_are_left(api, session, ls):
    milk = stocked(session, 3)
    api.sign_in(session)

    problem = api.post("/orders", json=order_body((milk, 4)), lang="en").json

    assert (problem["status"], problem["code"], problem["available"]) == (409, "out_of_stock", 3)
    assert problem["detail"] == f"Only 3 of “{milk.name_en}” left in stock."
    assert api.post("/orders", json=order_body((milk, 4))).json["detail"] == f"“{milk.name_zh}”库存仅剩 3 件。"


def test_an_order_refused_for_stock_leaves_no_payment_open(api, session, ls):
    """The PaymentIntent is opened before the stock is reserved (no other order waits on the lots meanwhile);
    when the stock then runs short, the intent is cancelled with the order's rollback."""
    milk = stocked(session, 3)
    api.sign_in(session)
    before = {pi.id for pi in ls.client.v1.payment_intents.list().data}

    assert api.post("/orders", json=order_body((milk, 4))).status_code == 409

    opened = [pi for pi in ls.client.v1.payment_intents.list().data if pi.id not in before]
    assert [pi.status for pi in opened] == ["canceled"]
    session.expire_all()
    assert order_count(session) == 0 and session.scalar(select(func.count(Payment.id))) == 0


def test_placing_an_order_takes_a_fixed_number_of_statements(api, session, ls, count_queries):
    """What a buyer's app sends most: saved buyer and address, two goods. No statement for what a new order
    cannot have (earlier payments, refunds), nor to read back what it just wrote."""
    milk, wine = stocked(session, 10), stocked(session, 10)
    user = api.sign_in(session)
    saved = api.post("/me/identities", json=BUYER).json["id"], api.post("/me/addresses", json=ADDRESS).json["id"]
    body = {"items": [{"sku": milk.sku, "qty": 1}, {"sku": wine.sku, "qty": 2}], "identity_id": saved[0],
            "consignee_id": saved[1], "buyer_is_payer": True}
    assert api.post("/orders", json=body).status_code == 201
    with count_queries() as counter:
        assert api.post("/orders", json=body).status_code == 201
    assert user and counter.count <= 18, "\n".join(counter.statements)


def test_goods_not_for_sale_are_refused(api, session, ls):
    hidden = stocked(session, 5, published=False)
    api.sign_in(session)

    problem = api.post("/orders", json={**order_body(), "items": [{"sku": hidden.sku, "qty": 1},
                                                                   {"sku": "NOPE", "qty": 1}]}).json

    assert (problem["status"], problem["code"]) == (422, "not_for_sale")
    assert set(problem["skus"].split(",")) == {hidden.sku, "NOPE"}


def test_more_than_the_per_order_maximum_is_refused(api, session, ls):
    milk = stocked(session, 20)  # at most 6 per order
    api.sign_in(session)

    problem = api.post("/orders", json=order_body((milk, 4), (milk, 3)), lang="en").json  # one SKU adds up

    assert (problem["status"], problem["code"]) == (422, "invalid_quantity")
    assert problem["detail"] == f"For personal use, at most 6 of “{milk.name_en}” can be bought in one order."
    assert api.post("/orders", json=order_body((milk, 7))).json["detail"] == (
        f"个人自用合理数量：“{milk.name_zh}”每单最多购买 6 件。")


def test_an_order_without_goods_is_refused(api, session, ls):
    api.sign_in(session)
    problem = api.post("/orders", json=order_body()).json
    assert (problem["status"], problem["code"], problem["detail"]) == (422, "empty_order", "购物车是空的。")


@pytest.mark.parametrize("changes, field", [
    ({"identity_id": 1}, "identity"),  # both a saved and a new buyer
    ({"identity": None}, "identity"),  # neither
    ({"consignee_id": 1}, "consignee"),
    ({"consignee": None}, "consignee"),
])
def test_exactly_one_buyer_and_one_address(api, session, ls, changes, field):
    milk = stocked(session, 5)
    api.sign_in(session)

    problem = api.post("/orders", json=order_body((milk, 1), **changes), lang="en").json

    message = f"Send exactly one of {field}_id and {field}."
    assert (problem["code"], problem["detail"]) == ("validation_error", message)
    assert problem["errors"] == [{"field": field, "message": message}]


def test_the_buyer_must_confirm_they_pay(api, session, ls):
    milk = stocked(session, 5)
    api.sign_in(session)

    refused = api.post("/orders", json=order_body((milk, 1), buyer_is_payer=False)).json
    missing = api.post("/orders", json={k: v for k, v in order_body((milk, 1)).items() if k != "buyer_is_payer"},
                       lang="en").json

    assert refused["code"] == "validation_error" and refused["errors"] == [
        {"field": "buyer_is_payer", "message": "海关要求订购人与支付人一致，请确认。"}]
    assert missing["errors"] == [{"field": "buyer_is_payer", "message": "This field is required."}]
    assert order_count(session) == 0


def test_another_users_saved_buyer_and_address_are_refused(api, session, ls):
    milk = stocked(session, 5)
    stranger = factories.user(session)
    from shop.accounts import services as accounts

    theirs = accounts.save_identity(session, stranger.id, name="王五", id_number=ID_A, phone="13812345678")
    their_address = accounts.save_address(session, stranger.id, consignee="王五", phone="13812345678",
                                          division_code="220102", province="吉林省", city="长春市", district="南关区",
                                          street="人民大街 2 号")
    session.commit()
    api.sign_in(session)
    api.language = "en"

    by_identity = api.post("/orders", json=order_body((milk, 1), identity=None, identity_id=theirs.id)).json
    by_address = api.post("/orders", json=order_body((milk, 1), consignee=None, consignee_id=their_address.id)).json

    assert by_identity["code"] == "validation_error" and by_identity["errors"] == [
        {"field": "identity_id", "message": "There is no saved buyer with this id on your account."}]
    assert by_address["code"] == "validation_error" and by_address["errors"] == [
        {"field": "consignee_id", "message": "There is no saved address with this id on your account."}]
    assert order_count(session) == 0


def test_the_new_address_needs_a_real_district_and_no_blank_names(api, session, ls):
    milk = stocked(session, 5)
    api.sign_in(session)
    api.language = "en"

    district = api.post("/orders", json=order_body((milk, 1), consignee={**ADDRESS, "district_code": "999999"})).json
    blank = api.post("/orders", json=order_body((milk, 1), identity={**BUYER, "name": "  "})).json

    assert district["errors"] == [{"field": "consignee.district_code",
                                   "message": "Please choose the province, city and district."}]
    assert blank["errors"] == [{"field": "identity.name", "message": "This field is required."}]


def test_an_order_needs_a_token_and_json(api, session, ls):
    assert api.post("/orders", json=order_body()).json["code"] == "unauthorized"
    api.sign_in(session)
    response = api.post("/orders", data="items=1", content_type="application/x-www-form-urlencoded")
    assert (response.status_code, response.json["code"]) == (415, "unsupported_media_type")


def test_when_stripe_cannot_be_reached_no_order_is_kept(api, session, ls, app, monkeypatch):
    milk = stocked(session, 5)
    api.sign_in(session)
    nowhere = StripeGateway(ls.secret_key, f"http://127.0.0.1:{free_port()}", ls.webhook_secret)
    monkeypatch.setitem(app.extensions, "stripe_gateway", nowhere)

    response = api.post("/orders", json=order_body((milk, 1)), lang="en")

    assert (response.status_code, response.json["code"]) == (503, "payment_unavailable")
    assert response.json["detail"] == ("Payments are not available just now. No money was taken. Please try again "
                                       "in a few minutes.")
    session.expire_all()
    assert order_count(session) == 0
    assert session.scalar(select(func.sum(Lot.reserved)).where(Lot.product_id == milk.id)) == 0


def test_placing_orders_is_rate_limited(api, session, ls, app, monkeypatch):
    milk = stocked(session, 10)
    api.sign_in(session)
    monkeypatch.setitem(app.config, "API_ORDER_RATE_LIMIT", "2 per minute")
    limiter.reset()
    try:
        assert [api.post("/orders", json=order_body((milk, 1))).status_code for _ in range(2)] == [201, 201]
        response = api.post("/orders", json=order_body((milk, 1)), lang="en")
        assert (response.status_code, response.json["code"]) == (429, "rate_limited")
        assert order_count(session) == 2
    finally:
        limiter.reset()


# --- reading -------------------------------------------------------------------------------------------


def test_my_orders_newest_first_in_pages(api, session, ls, monkeypatch):
    milk = stocked(session, 20)
    user = api.sign_in(session)
    numbers = [place(session, user, [(milk, qty)]).number for qty in (1, 2, 3)]
    place(session, factories.user(session), [(milk, 1)])  # someone else's
    session.commit()
    monkeypatch.setattr(orders_api, "PAGE_SIZE", 2)

    first = api.get("/orders").json
    second = api.get("/orders", query_string={"page": "2"}).json

    assert [o["number"] for o in first["items"]] == numbers[::-1][:2] and first["has_next"] is True
    assert [o["number"] for o in second["items"]] == numbers[:1] and second["has_next"] is False
    newest = first["items"][0]
    assert (newest["status"], newest["status_label"], newest["quantity"], newest["names"]) == (
        "awaiting_payment", "待支付", 3, [milk.name_zh])
    assert newest["total"] == "981.90"  # ¥900 of goods, free freight, VAT 900 × 13% × 70% = 81.90
    assert api.get("/orders", query_string={"page": "0"}).status_code == 422


def test_the_detail_has_a_timeline_like_the_order_page(api, session, ls):
    milk = stocked(session, 10)
    api.sign_in(session)
    body = paid_order(api, session, ls, milk)

    detail = api.get(f"/orders/{body['number']}").json
    english = api.get(f"/orders/{body['number']}", lang="en").json

    steps = detail["timeline"]
    assert [s["status"] for s in steps] == ["awaiting_payment", "paid", "declared", "released", "shipped",
                                            "delivered"]
    assert [s["reached"] for s in steps] == [True, True, False, False, False, False]
    assert [s["current"] for s in steps] == [False, True, False, False, False, False]
    assert steps[0]["at"] is not None and steps[2]["at"] is None
    assert [s["label"] for s in steps[:2]] == ["待支付", "已支付"]
    assert steps[1]["explanation"] == "已收到付款，其中包含本店为您代扣代缴的跨境综合税。我们正在准备海关申报。"
    assert english["timeline"][1]["explanation"].startswith("Payment received, including the cross-border tax")
    assert detail["buyer"]["id_number_masked"] == "3604**********0071"
    assert detail["consignee"]["phone_masked"] == "139****4321" and detail["refunded"] == "0.00"


def test_another_users_order_is_not_found(api, session, ls):
    milk = stocked(session, 5)
    theirs = place(session, factories.user(session), [(milk, 1)])
    session.commit()
    api.sign_in(session, role=Role.STAFF)  # staff too: the back office, not this API, shows others' orders

    for response in (api.get(f"/orders/{theirs.number}"), api.post(f"/orders/{theirs.number}/cancel"),
                     api.get("/orders/GB000000000000")):
        assert (response.status_code, response.json["code"]) == (404, "not_found")
    assert order_row(session, theirs.number).status is OrderStatus.AWAITING_PAYMENT


def test_an_unpaid_order_whose_time_ran_out_reads_as_cancelled(api, session, ls):
    from datetime import timedelta

    from shop.db import utcnow

    milk = stocked(session, 5)
    user = api.sign_in(session)
    order = place(session, user, [(milk, 1)], now=utcnow() - timedelta(hours=2), reservation_minutes=30)
    session.commit()

    detail = api.get(f"/orders/{order.number}", lang="en").json

    assert detail["status"] == "cancelled" and detail["timeline"][-1]["status"] == "cancelled"
    assert detail["timeline"][-1]["label"] == "Cancelled" and detail["cancellable"] is False


# --- cancelling ----------------------------------------------------------------------------------------


def test_cancelling_a_paid_order_refunds_it_in_full(api, session, ls):
    milk = stocked(session, 10)
    api.sign_in(session)
    body = paid_order(api, session, ls, milk)

    response = api.post(f"/orders/{body['number']}/cancel")

    assert response.status_code == 200
    cancelled = response.json
    assert cancelled["status"] == "cancelled" and cancelled["refunded"] == "338.21"
    assert cancelled["cancellable"] is False and cancelled["timeline"][-1]["status"] == "cancelled"
    order = order_row(session, body["number"])
    (payment,) = session.scalars(select(Payment).where(Payment.order_id == order.id))
    assert payment.refunded_amount == D("338.21")
    (refund,) = session.scalars(select(Refund).where(Refund.payment_id == payment.id))
    assert refund.refund_id.startswith("re_") and refund.amount == D("338.21")
    assert session.scalar(select(Declaration.status).where(Declaration.order_id == order.id)) is (
        DeclarationStatus.CANCELLED)
    assert session.scalar(select(func.sum(Lot.reserved)).where(Lot.product_id == milk.id)) == 0
    stripe_refund = ls.client.v1.refunds.retrieve(refund.refund_id)
    assert (stripe_refund.amount, stripe_refund.payment_intent) == (33821, payment.intent_id)

    again = api.post(f"/orders/{body['number']}/cancel")  # a repeat changes nothing
    assert again.status_code == 200 and again.json["refunded"] == "338.21"
    assert session.scalar(select(func.count(Refund.id))) == 1


def test_cancelling_an_unpaid_order_cancels_its_payment_intent(api, session, ls):
    milk = stocked(session, 10)
    api.sign_in(session)
    body = placed(api, session, ls, (milk, 1))

    response = api.post(f"/orders/{body['number']}/cancel")

    assert response.status_code == 200 and response.json["status"] == "cancelled"
    assert response.json["refunded"] == "0.00"
    assert ls.client.v1.payment_intents.retrieve(body["payment"]["intent_id"]).status == "canceled"
    assert session.scalar(select(func.sum(Lot.reserved)).where(Lot.product_id == milk.id)) == 0


def test_a_released_order_cannot_be_cancelled(api, session, ls):
    milk = stocked(session, 10)
    api.sign_in(session)
    body = paid_order(api, session, ls, milk)
    order = order_row(session, body["number"])
    for status in (OrderStatus.DECLARED, OrderStatus.RELEASED):
        orders.change_status(session, order, status, source="customs")
    session.commit()

    english = api.post(f"/orders/{body['number']}/cancel", lang="en")
    chinese = api.post(f"/orders/{body['number']}/cancel")

    assert (english.status_code, english.json["code"], english.json["title"]) == (
        409, "not_cancellable", "The order can no longer be cancelled.")
    assert english.json["detail"] == ("Customs has already released this order, so it can no longer be cancelled. "
                                      "You can return it within 30 days of release.")
    assert chinese.json["title"] == "该订单已不能取消。"
    assert order_row(session, body["number"]).status is OrderStatus.RELEASED


def test_when_the_refund_cannot_start_the_order_stays_paid(api, session, ls, app, monkeypatch):
    milk = stocked(session, 10)
    api.sign_in(session)
    body = paid_order(api, session, ls, milk)
    nowhere = StripeGateway(ls.secret_key, f"http://127.0.0.1:{free_port()}", ls.webhook_secret)
    monkeypatch.setitem(app.extensions, "stripe_gateway", nowhere)

    response = api.post(f"/orders/{body['number']}/cancel", lang="en")

    assert (response.status_code, response.json["code"]) == (503, "payment_unavailable")
    assert response.json["detail"] == ("The refund could not be started just now, so the order was not cancelled. "
                                       "Please try again in a few minutes.")
    assert order_row(session, body["number"]).status is OrderStatus.PAID
