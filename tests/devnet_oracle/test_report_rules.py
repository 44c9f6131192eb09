"""Every rejection rule of POST /api/v1/metrics/report (PROTOCOL.md §2, §6), against the oracle as a real
HTTP server. The chain here is ``FakeAgentRpc`` (a MOCK answering only agent_isAgentAccount and
getCurrentEpoch): these rules never need more of the chain, and the real-devnet tests cover the rest."""
from __future__ import annotations

import time

import pytest

from .support import FakeAgentRpc, OracleProcess, new_account, signed_report

REPORT = "/api/v1/metrics/report"


@pytest.fixture(scope="module")
def fake_rpc():
    rpc = FakeAgentRpc()
    yield rpc
    rpc.close()


@pytest.fixture(scope="module")
def oracle(fake_rpc, tmp_path_factory):
    proc = OracleProcess(fake_rpc.url, tmp_path_factory.mktemp("oracle") / "oracle.db").start()
    yield proc
    assert proc.stop() == 0, proc.log_text()


@pytest.fixture
def agent(fake_rpc):
    account = new_account()
    fake_rpc.register(account.address)
    return account


def _error(resp, status: int) -> dict:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["statusCode"] == status
    assert body["error"] == {400: "Bad Request", 401: "Unauthorized"}[status]
    return body


def test_accepted_report_answers_201_with_documented_body(oracle, agent):
    first = oracle.post(REPORT, signed_report(agent))
    assert first.status_code == 201, first.text
    assert first.json() == {"success": True, "message": "Metrics recorded successfully", "shouldReset": True}
    second = oracle.post(REPORT, signed_report(agent, tokens=150, timestamp=int(time.time()) + 1))
    assert second.status_code == 201, second.text
    assert second.json()["shouldReset"] is False  # only an agent's first report of an epoch says reset


def test_signature_by_another_key_is_401(oracle, agent):
    body = signed_report(agent)
    body["signature"] = signed_report(new_account(), wallet=agent.address)["signature"]
    assert _error(oracle.post(REPORT, body), 401)["message"] == "Invalid signature"


def test_signature_over_other_values_is_401(oracle, agent):
    body = signed_report(agent, tokens=100)
    body["tokensProcessed"] = 1000  # the signed text is rebuilt from the body: it no longer matches
    assert _error(oracle.post(REPORT, body), 401)["message"] == "Invalid signature"


def test_signature_without_0x_is_401(oracle, agent):
    body = signed_report(agent)
    body["signature"] = body["signature"][2:]
    assert _error(oracle.post(REPORT, body), 401)["message"] == "Invalid signature"


def test_wallet_case_differing_from_signed_text_is_401(oracle, agent):
    # Signed with the checksummed string, sent lower-case: the rebuilt text differs byte for byte.
    body = signed_report(agent, wallet=agent.address)
    body["wallet"] = agent.address.lower()
    assert _error(oracle.post(REPORT, body), 401)["message"] == "Invalid signature"
    # The same lower-case string signed and sent is fine: the rule is "same string", not "checksummed".
    ok = oracle.post(REPORT, signed_report(agent, wallet=agent.address.lower()))
    assert ok.status_code == 201, ok.text


@pytest.mark.parametrize("skew", [-120, 61 + 5, 300])
def test_clock_skew_beyond_60_s_is_401(oracle, agent, skew):
    body = signed_report(agent, timestamp=int(time.time()) + skew)
    assert _error(oracle.post(REPORT, body), 401)["message"] == "Invalid signature"


def test_skew_within_60_s_is_accepted(oracle, agent):
    assert oracle.post(REPORT, signed_report(agent, timestamp=int(time.time()) - 45)).status_code == 201


def test_replay_and_older_timestamp_are_400(oracle, agent):
    now = int(time.time())
    body = signed_report(agent, timestamp=now)
    assert oracle.post(REPORT, body).status_code == 201
    message = "Replay detected: timestamp must be strictly increasing"
    assert _error(oracle.post(REPORT, body), 400)["message"] == message
    older = signed_report(agent, tokens=500, timestamp=now - 1)
    assert _error(oracle.post(REPORT, older), 400)["message"] == message
    assert oracle.post(REPORT, signed_report(agent, tokens=500, timestamp=now + 1)).status_code == 201


def test_unknown_field_is_400_with_nest_validation_shape(oracle, agent):
    body = signed_report(agent, processed_tokens=100)
    err = _error(oracle.post(REPORT, body), 400)
    assert err["message"] == ["property processed_tokens should not exist"]


@pytest.mark.parametrize("field", ["tokensProcessed", "timestamp"])
def test_float_in_a_signed_field_is_400(oracle, agent, field):
    body = signed_report(agent)
    body[field] = float(body[field])  # 100.0: the value is whole, but it is not an integer in JSON
    err = _error(oracle.post(REPORT, body), 400)
    assert err["message"] == [f"{field} must be an integer number"]


@pytest.mark.parametrize("field,value,sentence", [
    ("tokensProcessed", 1_000_000_001, "tokensProcessed must not be greater than 1000000000"),
    ("tokensProcessed", -1, "tokensProcessed must not be less than 0"),
    ("uptimeSeconds", 604_801, "uptimeSeconds must not be greater than 604800"),
    ("requestCount", 2.5, "requestCount must be an integer number"),
    ("avgLatencyMs", "12", "avgLatencyMs must be a number conforming to the specified constraints"),
    ("wallet", "0x1234", "wallet must be an Ethereum address"),
    ("signature", None, "signature must be a string"),
])
def test_type_and_bound_violations_are_400(oracle, agent, field, value, sentence):
    body = signed_report(agent)
    body[field] = value
    assert sentence in _error(oracle.post(REPORT, body), 400)["message"]


def test_missing_field_is_400(oracle, agent):
    body = signed_report(agent)
    del body["uptimeSeconds"]
    assert _error(oracle.post(REPORT, body), 400)["message"] == ["uptimeSeconds must be an integer number"]


def test_unregistered_agent_is_400_decided_with_agent_isAgentAccount(oracle, fake_rpc):
    stranger = new_account()
    body = signed_report(stranger)
    assert _error(oracle.post(REPORT, body), 400)["message"] == "Agent not registered on-chain"
    asked = [params for method, params in fake_rpc.calls if method == "agent_isAgentAccount"]
    assert [stranger.address, "latest"] in asked  # the exact string and the required block tag


GOOD_HASH = "0x" + "ab" * 32


@pytest.mark.parametrize("proof,sentence", [
    ({"modelHash": GOOD_HASH, "inputHash": GOOD_HASH, "outputHash": GOOD_HASH, "tokenCount": 3, "agent": "x"},
     "proofs.0.property agent should not exist"),
    ({"modelHash": GOOD_HASH[2:] + "00", "inputHash": GOOD_HASH, "outputHash": GOOD_HASH, "tokenCount": 3},
     "proofs.0.modelHash must be 0x followed by 64 hexadecimal digits"),
    ({"modelHash": GOOD_HASH, "inputHash": GOOD_HASH, "outputHash": GOOD_HASH, "tokenCount": 0},
     "proofs.0.tokenCount must not be less than 1"),
    ({"modelHash": GOOD_HASH, "inputHash": GOOD_HASH, "tokenCount": 1},
     "proofs.0.outputHash must be 0x followed by 64 hexadecimal digits"),
])
def test_invalid_proofs_refuse_the_whole_report(oracle, agent, proof, sentence):
    body = signed_report(agent, proofs=[proof])
    assert sentence in _error(oracle.post(REPORT, body), 400)["message"]
    # Nothing of a refused report is recorded.
    assert oracle.get(f"/api/v1/metrics/agents/{agent.address}").json()["metrics"] is None


def test_valid_proofs_are_accepted_and_counted(oracle, agent):
    proof = {"modelHash": GOOD_HASH, "inputHash": GOOD_HASH, "outputHash": GOOD_HASH, "tokenCount": 7}
    assert oracle.post(REPORT, signed_report(agent, proofs=[proof, proof])).status_code == 201
    assert oracle.get(f"/api/v1/metrics/agents/{agent.address}").json()["totals"]["proofs"] == 2


def test_body_that_is_not_json_is_400(oracle):
    resp = __import__("requests").post(oracle.url + REPORT, data=b"{not json", timeout=10,
                                       headers={"Content-Type": "application/json"})
    assert _error(resp, 400)["message"].startswith("Invalid JSON body")


def test_cumulative_deltas_and_restart_detection(oracle, agent):
    t = int(time.time())
    for i, (tokens, reqs, up) in enumerate([(100, 4, 30), (250, 10, 60), (40, 2, 10), (90, 3, 20)]):
        resp = oracle.post(REPORT, signed_report(agent, tokens=tokens, requests_=reqs, uptime=up, timestamp=t + i))
        assert resp.status_code == 201, resp.text
    m = oracle.get(f"/api/v1/metrics/agents/{agent.address}").json()
    # 100, then 250 adds 150; 40 < 250 is a restart, so 40 counts whole; then 90 adds 50: 340.
    assert m["totals"]["tokensProcessed"] == "340"
    assert m["totals"]["requestCount"] == 4 + 6 + 2 + 1
    assert m["totals"]["restarts"] == 1
    assert m["totals"]["reports"] == 4
    # Uptime deltas are capped by the wall-clock time between reports (1 s apart here): 30 + 1 + 1 + 1.
    assert m["totals"]["uptimeSeconds"] == 33
    assert m["tokensProcessed"] == "340" and m["epoch"] == 0
    assert m["lastReportTimestamp"] == t + 3


def test_unknown_route_answers_nest_style_404(oracle):
    resp = oracle.get("/api/nope")
    assert resp.status_code == 404
    assert resp.json() == {"statusCode": 404, "message": "Cannot GET /api/nope", "error": "Not Found"}
