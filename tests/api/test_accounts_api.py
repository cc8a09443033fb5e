"""Accounts over the API: registration, tokens, saved buyers and addresses."""

from __future__ import annotations

from decimal import Decimal

from shop.accounts.models import Role
from tests import ordering


def test_register_then_use_the_token(api):
    response = api.post("/auth/register", json={"name": "林晓雨", "email": "Lin@Example.cn", "password": "long enough"})
    assert response.status_code == 201
    body = response.json
    assert body["token_type"] == "Bearer" and body["access_token"].startswith("gb_")
    assert body["user"]["email"] == "lin@example.cn" and body["user"]["role"] == "shopper"
    me = api.get("/me", token=body["access_token"]).json
    assert me["name"] == "林晓雨"

    again = api.post("/auth/register", json={"name": "x", "email": "lin@example.cn", "password": "long enough"},
                     lang="en")
    assert again.status_code == 409 and again.json["code"] == "email_taken"


def test_registration_names_each_bad_field(api):
    response = api.post("/auth/register", json={"email": "not an address", "password": "short", "extra": 1},
                        lang="en")
    assert response.status_code == 422 and response.json["code"] == "validation_error"
    fields = {e["field"]: e["message"] for e in response.json["errors"]}
    assert set(fields) == {"name", "email", "password", "extra"}
    assert fields["name"] == "This field is required." and fields["extra"] == "This field is not known."
    chinese = api.post("/auth/register", json={"email": "x@example.com", "password": "long enough"})
    assert chinese.json["title"] == "请求无效。" and chinese.json["errors"][0]["message"] == "此项为必填项。"


def test_a_wrong_password_gets_no_token(api, session):
    user = api.sign_in(session)
    response = api.post("/auth/token", json={"email": user.email, "password": "wrong"}, token="", lang="en")
    assert response.status_code == 401 and response.json["code"] == "invalid_credentials"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_bad_bodies_are_problems(api):
    assert api.post("/auth/token", json=[1, 2]).json["code"] == "bad_request"
    response = api.call("POST", "/auth/token", data="email=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and response.json["code"] == "unsupported_media_type"


def test_saved_buyers_and_addresses(api, session):
    api.sign_in(session)
    added = api.post("/me/identities", json={"name": "张三", "id_number": ordering.ID_A, "phone": "13812345678"})
    assert added.status_code == 201
    assert added.json["id_number_masked"] == "3604**********0071" and added.json["phone_masked"] == "138****5678"
    assert [i["id"] for i in api.get("/me/identities").json["items"]] == [added.json["id"]]

    bad = api.post("/me/identities", json={"name": "张三", "id_number": "360426199101010072", "phone": "13812345678"},
                   lang="en")
    assert bad.status_code == 422 and bad.json["code"] == "invalid_id_number"
    assert bad.json["errors"][0]["field"] == "id_number"

    address = api.post("/me/addresses", json={"consignee": "李四", "phone": "13987654321", "district_code": "220102",
                                              "street": "人民大街 1 号"})
    assert address.status_code == 201
    assert (address.json["province"], address.json["city"], address.json["district"]) == ("吉林省", "长春市", "南关区")
    nowhere = api.post("/me/addresses", json={"consignee": "李四", "phone": "13987654321", "district_code": "999999",
                                              "street": "x"}, lang="en")
    assert nowhere.status_code == 422 and nowhere.json["errors"][0]["field"] == "district_code"

    assert api.delete(f"/me/addresses/{address.json['id']}").status_code == 204
    assert api.delete(f"/me/addresses/{address.json['id']}").status_code == 404
    assert api.get("/me/addresses").json["items"] == []


def test_another_users_buyer_cannot_be_deleted(api, session):
    api.sign_in(session)
    mine = api.post("/me/identities", json={"name": "张三", "id_number": ordering.ID_A, "phone": "13812345678"}).json
    api.sign_in(session)  # someone else
    assert api.delete(f"/me/identities/{mine['id']}").status_code == 404
    assert api.delete("/me/identities/99999999999").status_code == 404


def test_the_quote_tells_a_signed_in_buyer_what_remains_of_the_year(api, session, app):
    user = api.sign_in(session)
    api.post("/me/identities", json={"name": "张三", "id_number": ordering.ID_A, "phone": "13812345678"})
    milk = ordering.stocked(session, price=Decimal("300.00"))
    with app.test_request_context():
        order = ordering.place(session, user, [(milk, 2)])
    ordering.mark_paid(session, order)
    session.commit()
    body = api.post("/quote", json={"items": [{"sku": milk.sku, "qty": 1}]}).json
    assert body["limits"]["annual_remaining"] == f"{Decimal('26000.00') - order.duty_paid_value:.2f}"


def test_staff_tokens_work_too(api, session):
    api.sign_in(session, Role.STAFF)
    assert api.get("/me").json["role"] == "staff"
