"""Driving wrk: the Lua scripts it runs, and the one line of results it prints for us.

Every script ends with the same reporter: each thread counts the answers by HTTP status (and, for error
answers with a JSON problem body, by its `code`), and `done()` prints one line, `BENCH_RESULT {json}`, with
the request count, the duration, wrk's own error counts and the latency percentiles in microseconds. wrk's
"Non-2xx or 3xx" count lets redirects pass; the status counts do not.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

RESULT_PREFIX = "BENCH_RESULT "

REPORTER = r"""
-- Reporter: answers counted per thread by status and problem code; one JSON line at the end.
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

statuses = {}
codes = {}

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if status >= 400 and body then
    local code = string.match(body, '"code"%s*:%s*"([%w_]+)"')
    if code then codes[code] = (codes[code] or 0) + 1 end
  end
  if on_response then on_response(status, body) end
end

local function object(counts)
  local parts = {}
  for k, v in pairs(counts) do table.insert(parts, string.format('"%s":%d', k, v)) end
  return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
  local all_statuses, all_codes = {}, {}
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("statuses") or {}) do all_statuses[k] = (all_statuses[k] or 0) + v end
    for k, v in pairs(thread:get("codes") or {}) do all_codes[k] = (all_codes[k] or 0) + v end
  end
  local e = summary.errors
  local extra = "{}"
  if extra_result then extra = extra_result(threads) end
  io.write(string.format(
    '%s{"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f},"statuses":%s,"codes":%s,"extra":%s}\n',
    "BENCH_RESULT ", summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    object(all_statuses), object(all_codes), extra))
end
"""


def _lua_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid Lua string literal here


def post_script(body: dict) -> str:
    """The same JSON POST every time (the quote)."""
    return (f'wrk.method = "POST"\nwrk.body = {_lua_string(json.dumps(body, ensure_ascii=False))}\n'
            'wrk.headers["Content-Type"] = "application/json"\n' + REPORTER)


def orders_script(buyers: list[dict], *, threads: int, limited: str | None, plentiful: list[str],
                  path: str = "/api/v1/orders") -> str:
    """POST /api/v1/orders as 50 (or len(buyers)) buyers, each with their bearer token, saved buyer identity
    and saved address. Thread t of `threads` takes buyers t, t + threads, … in turn, so that a buyer has about
    one order in flight at a time. Each order: 1–3 units of `limited` (when given) and one or two of the
    `plentiful` goods, 1–2 units each."""
    rows = ",\n".join(
        f'  {{token = {_lua_string(b["token"])}, identity = {b["identity_id"]}, consignee = {b["consignee_id"]}}}'
        for b in buyers)
    skus = ", ".join(_lua_string(s) for s in plentiful)
    limited_lua = _lua_string(limited) if limited else "nil"
    return f"""
local buyers = {{
{rows}
}}
local plentiful = {{{skus}}}
local limited = {limited_lua}
local nthreads = {threads}
local turn = 0

function init(args)
  math.randomseed(7919 + id)
end

local function item(sku, qty)
  return string.format('{{"sku":"%s","qty":%d}}', sku, qty)
end

function request()
  local mine = math.floor((#buyers - 1 - id) / nthreads) + 1   -- how many buyers this thread has
  local buyer = buyers[id + 1 + (turn % mine) * nthreads]
  turn = turn + 1
  local items = {{}}
  if limited then table.insert(items, item(limited, math.random(1, 3))) end
  local first = math.random(1, #plentiful)
  table.insert(items, item(plentiful[first], math.random(1, 2)))
  if not limited and math.random() < 0.5 then
    table.insert(items, item(plentiful[(first % #plentiful) + 1], 1))
  end
  local body = string.format(
    '{{"items":[%s],"identity_id":%d,"consignee_id":%d,"buyer_is_payer":true}}',
    table.concat(items, ","), buyer.identity, buyer.consignee)
  return wrk.format("POST", {_lua_string(path)}, {{
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. buyer.token,
  }}, body)
end

-- The largest "available" a refusal for lack of stock mentioned (it should be less than what was asked).
most_available = -1
function on_response(status, body)
  if status == 409 and body then
    local available = tonumber(string.match(body, '"available"%s*:%s*(%d+)'))
    if available and available > most_available then most_available = available end
  end
end

function extra_result(threads)
  local most = -1
  for _, thread in ipairs(threads) do most = math.max(most, thread:get("most_available") or -1) end
  return string.format('{{"most_available_in_refusal":%d}}', most)
end
""" + REPORTER


@dataclass
class Result:
    """What one wrk run measured."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[str, int]
    codes: dict[str, int]
    socket_errors: dict[str, int]
    extra: dict = field(default_factory=dict)

    def not_ok(self, ok: tuple[int, ...] = (200,)) -> int:
        """Answers with another status than those in `ok`, plus socket errors and timeouts."""
        bad = sum(n for status, n in self.statuses.items() if int(status) not in ok)
        return bad + sum(self.socket_errors.values())

    def as_dict(self) -> dict:
        return {"requests": self.requests, "seconds": round(self.seconds, 3), "rps": round(self.rps, 2),
                "p50_ms": round(self.p50_ms, 2), "p90_ms": round(self.p90_ms, 2), "p99_ms": round(self.p99_ms, 2),
                "max_ms": round(self.max_ms, 2), "statuses": self.statuses, "codes": self.codes,
                "socket_errors": self.socket_errors, **self.extra}


def parse(output: str) -> Result:
    """The reporter's line in wrk's output (ValueError if it is missing: wrk failed or the script did)."""
    line = next((line for line in output.splitlines() if line.startswith(RESULT_PREFIX)), None)
    if line is None:
        raise ValueError(f"no {RESULT_PREFIX.strip()} line in wrk's output:\n{output[-2000:]}")
    data = json.loads(line[len(RESULT_PREFIX):])
    seconds = data["duration_us"] / 1e6
    latency = data["latency_us"]
    errors = data["errors"]
    return Result(
        requests=data["requests"], seconds=seconds, rps=data["requests"] / seconds if seconds else 0.0,
        p50_ms=latency["p50"] / 1000, p90_ms=latency["p90"] / 1000, p99_ms=latency["p99"] / 1000,
        max_ms=latency["max"] / 1000, statuses=data["statuses"], codes=data["codes"],
        # "status" is wrk's count of non-2xx/3xx answers, already in `statuses`
        socket_errors={k: v for k, v in errors.items() if k != "status" and v},
        extra=data.get("extra") or {})


def executable() -> str | None:
    return shutil.which("wrk")


def command(url: str, script: Path, *, seconds: int, connections: int, threads: int,
            timeout_s: int = 30) -> list[str]:
    """wrk's command line (it takes whole seconds)."""
    return [executable() or "wrk", f"-t{threads}", f"-c{connections}", f"-d{max(int(seconds), 1)}s",
            f"--timeout={timeout_s}s", "-s", str(script), url]


def run(url: str, script: Path, *, seconds: int, connections: int, threads: int) -> Result:
    """One wrk run against `url` for `seconds`."""
    threads = min(threads, connections)
    result = subprocess.run(command(url, script, seconds=seconds, connections=connections, threads=threads),
                            capture_output=True, text=True, timeout=seconds + 120)
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed ({result.returncode}):\n{result.stderr[-2000:]}{result.stdout[-2000:]}")
    return parse(result.stdout)
