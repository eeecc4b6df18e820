"""PagerDuty's rate limits as the simulator models them (see pdsim/limits.py for the sources)."""

import pytest

from pdsim.limits import OPERATION_RATE_LIMITS, RateLimiter, RestLimits, rest_caller
from pdsim.server import Simulator


def token(sim, name, user=None):
    """Give the account another REST API key: ``user``'s (an email), or an account key (no user)."""
    owner = sim.account.directory.user_by_email(user) if user else None
    sim.account.directory.tokens[name] = {"user_id": owner["id"] if owner else None, "read_only": False}
    return {"authorization": "Token token=%s" % name}


@pytest.fixture
def limited(contract):
    return Simulator(contract=contract, rest_rate_limit=3)


def statuses(call, count, target="/priorities", **kwargs):
    return [call("GET", target, **kwargs)[0] for _attempt in range(count)]


def test_a_users_keys_share_one_budget(limited, call):
    call.sim = limited
    second_key = token(limited, "admin-second-key", user="admin@example.com")
    assert statuses(call, 2) == [200, 200]
    assert statuses(call, 2, headers=second_key) == [200, 429], "the admin's other key spends the same 3"


def test_another_user_and_an_account_key_each_have_their_own(limited, call):
    call.sim = limited
    assert statuses(call, 4) == [200, 200, 200, 429]
    assert statuses(call, 3, headers=token(limited, "ken-key", user="ken@example.com")) == [200, 200, 200]
    account_key = token(limited, "account-key-1")
    assert statuses(call, 4, headers=account_key) == [200, 200, 200, 429]
    assert statuses(call, 1, headers=token(limited, "account-key-2")) == [200], "each account key on its own"


def test_the_caller_of_a_token():
    assert rest_caller("k1", {"user_id": "PADMIN1"}) == rest_caller("k2", {"user_id": "PADMIN1"}) == ("user", "PADMIN1")
    assert rest_caller("k1", {"user_id": None}) != rest_caller("k2", {"user_id": None})


def test_incident_creation_has_a_limit_of_its_own(sim, call):
    sim.rest_limits.configure(operations={"POST /incidents": 2})
    body = {"incident": {"type": "incident", "title": "Checkout failing",
                         "service": {"id": "PSVCCHK", "type": "service_reference"}}}
    assert [call("POST", "/incidents", body)[0] for _attempt in range(3)] == [201, 201, 429]
    status, answer, headers = call("POST", "/incidents", body)
    assert status == 429 and headers["ratelimit-limit"] == "2" and headers["ratelimit-remaining"] == "0"
    assert 1 <= int(headers["ratelimit-reset"]) <= 60
    assert answer == {"error": {"message": "Rate Limit Exceeded", "code": 2020}}
    assert statuses(call, 2, "/incidents") == [200, 200], "the other operations go on"
    assert len(sim.account.incidents.incidents) == 2, "a refused creation creates nothing"


def test_the_bulk_update_and_oncalls_have_limits_of_their_own(sim, call):
    assert sorted(sim.rest_limits.operation_limits()) == sorted(OPERATION_RATE_LIMITS) == [
        "GET /oncalls", "POST /incidents", "PUT /incidents"]
    sim.rest_limits.configure(operations={"PUT /incidents": 1, "GET /oncalls": 1})
    incident = call("POST", "/incidents", {"incident": {"type": "incident", "title": "Checkout failing", "service": {
        "id": "PSVCCHK", "type": "service_reference"}}})[1]["incident"]["id"]
    bulk = {"incidents": [{"id": incident, "type": "incident_reference", "status": "acknowledged"}]}
    assert call("PUT", "/incidents", bulk)[0] == 200
    assert call("PUT", "/incidents", bulk)[0] == 429
    assert statuses(call, 2, "/oncalls") == [200, 429]
    one = {"incident": {"type": "incident_reference", "status": "resolved"}}
    assert call("PUT", "/incidents/%s" % incident, one)[0] == 200, "updating one incident is not the bulk operation"


def test_an_operation_counts_towards_the_general_limit_too(contract, call):
    call.sim = sim = Simulator(contract=contract, rest_rate_limit=2)
    assert statuses(call, 2, "/oncalls") == [200, 200]
    assert statuses(call, 1) == [429]


def test_the_window_and_the_limits_are_set_and_reset_by_controls(sim, call):
    reply = sim.handle("POST", "/_sim/config", {}, b'{"operation_rate_limits": {"POST /incidents": 1}, '
                                                   b'"rate_limit_window": 2}')
    assert reply.status == 200
    assert reply.body["operation_rate_limits"] == {"POST /incidents": 1} and reply.body["rate_limit_window"] == 2.0
    assert sim.info()["operation_rate_limits"] == {"POST /incidents": 1}
    assert sim.events_limits.window == 2.0
    sim.reset()
    assert sim.info()["operation_rate_limits"] == OPERATION_RATE_LIMITS and sim.info()["rate_limit_window"] == 60.0


def test_with_the_general_limit_off_every_limit_is_off():
    limits = RestLimits(0, operations={"POST /incidents": 1})
    assert all(limits.hit(("user", "U"), "POST", "/incidents")[0] for _attempt in range(5))


def test_a_window_starts_again(monkeypatch):
    now = [100.0]
    monkeypatch.setattr("pdsim.limits.time.monotonic", lambda: now[0])
    limiter = RateLimiter(1, window=2.0)
    assert limiter.hit("a")[0] is True
    allowed, headers = limiter.hit("a")
    assert allowed is False and headers["ratelimit-reset"] == "2"
    now[0] += 2.0
    assert limiter.hit("a")[0] is True
    with pytest.raises(ValueError):
        RestLimits(5, window=0)


def test_the_alerts_of_an_incident_filtered_by_alert_key(sim, call):
    routing_key = "pdsimroutingkeycheckoutapi000001"
    for key in ("disk-full", "cpu-high"):
        sim.handle("POST", "/v2/enqueue", {"content-type": "application/json"}, (
            '{"routing_key": "%s", "event_action": "trigger", "dedup_key": "%s", "payload": {"summary": "%s", '
            '"source": "db1", "severity": "critical"}}' % (routing_key, key, key)).encode())
    incident_id = next(i["id"] for i in sim.account.incidents.incidents.values() if i["incident_key"] == "cpu-high")
    status, body, _headers = call("GET", "/incidents/%s/alerts?alert_key=cpu-high" % incident_id)
    assert status == 200 and [a["alert_key"] for a in body["alerts"]] == ["cpu-high"]
    assert call("GET", "/incidents/%s/alerts?alert_key=disk-full" % incident_id)[1]["alerts"] == []
