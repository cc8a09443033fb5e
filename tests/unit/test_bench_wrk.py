"""The load benchmark's wrk driving: the reporter line it parses, and its Lua scripts run by a real wrk."""

from __future__ import annotations

import json
import threading

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from bench import wrk
from bench.common import free_port

SAMPLE = """Running 1s test @ http://127.0.0.1:5000/
  2 threads and 4 connections
  60 requests in 1.00s, 24.38KB read
Requests/sec:     60.00
BENCH_RESULT {"requests":60,"duration_us":1000000,"bytes":24960,"errors":{"connect":0,"read":1,"write":0,\
"status":2,"timeout":0},"latency_us":{"p50":1782,"p90":5000,"p99":11465,"max":12000,"mean":2345.6},\
"statuses":{"200":57,"302":1,"500":2},"codes":{},"extra":{}}
"""


def test_the_reporter_line_gives_rates_percentiles_and_every_answer_that_is_not_ok():
    result = wrk.parse(SAMPLE)

    assert (result.requests, result.rps) == (60, 60.0)
    assert (result.p50_ms, result.p99_ms) == (1.782, 11.465)
    assert result.statuses == {"200": 57, "302": 1, "500": 2}
    assert result.socket_errors == {"read": 1}
    # wrk's own count lets the redirect pass; ours does not, and socket errors count too.
    assert result.not_ok() == 4
    assert result.not_ok(ok=(200, 302)) == 3


def test_output_without_the_reporter_line_is_an_error():
    with pytest.raises(ValueError, match="BENCH_RESULT"):
        wrk.parse("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_the_orders_script_shares_the_buyers_out_between_the_threads():
    buyers = [{"token": f"gb_{n}", "identity_id": n, "consignee_id": 100 + n} for n in range(1, 51)]
    script = wrk.orders_script(buyers, threads=2, limited="BULK-0000001", plentiful=["A", "B"])

    assert script.count("token = ") == 50
    assert 'local limited = "BULK-0000001"' in script
    assert "function done(" in script  # the reporter comes last


@pytest.fixture
def stub_orders():
    """A loopback server that checks each order's request, then places it or refuses it as out of stock."""
    seen = {"count": 0, "bad": []}

    @Request.application
    def app(request):
        seen["count"] += 1
        body = request.get_json(silent=True)
        token = request.headers.get("Authorization", "")
        if (not body or not token.startswith("Bearer gb_") or not body.get("buyer_is_payer")
                or not body["items"] or body["items"][0]["sku"] != "LIMITED"):
            seen["bad"].append((token, request.get_data(as_text=True)))
            return Response(status=400)
        if seen["count"] % 2:
            return Response(json.dumps({"number": "GB1"}), status=201, content_type="application/json")
        problem = {"status": 409, "code": "out_of_stock", "detail": "Only 2 left", "available": 2}
        return Response(json.dumps(problem), status=409, content_type="application/problem+json")

    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", seen
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.skipif(wrk.executable() is None, reason="wrk is not installed (Debian: apt-get install wrk)")
def test_a_real_wrk_runs_the_orders_script_and_reports_statuses_codes_and_refusals(stub_orders, tmp_path):
    base, seen = stub_orders
    buyers = [{"token": f"gb_{n}", "identity_id": n, "consignee_id": n} for n in range(1, 11)]
    script = tmp_path / "orders.lua"
    script.write_text(wrk.orders_script(buyers, threads=2, limited="LIMITED", plentiful=["A", "B", "C"]))

    result = wrk.run(base + "/api/v1/orders", script, seconds=1, connections=4, threads=2)

    assert seen["bad"] == []
    assert result.requests > 0
    assert set(result.statuses) <= {"201", "409"}
    assert result.codes.get("out_of_stock", 0) == result.statuses.get("409", 0) > 0
    assert result.extra == {"most_available_in_refusal": 2}
    assert result.not_ok(ok=(201, 409)) == 0
