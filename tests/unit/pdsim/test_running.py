"""pdsim.running(): a simulator served in-process on a background thread, for tests of HTTP clients."""

import http.client
import json
import re
import urllib.error
import urllib.request

import pytest

import pdsim
from pdsim.server import Simulator

ADMIN = {"Authorization": "Token token=pdsim-admin-token", "Accept": "application/vnd.pagerduty+json;version=2",
         "Content-Type": "application/json"}


def get(url, headers=None):
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as answer:
        return answer.status, json.load(answer)


def test_serves_a_given_simulator_until_the_end_of_the_block(contract):
    simulator = Simulator(contract=contract)
    with pdsim.running(simulator=simulator) as sim:
        assert re.match(r"^http://127\.0\.0\.1:\d+$", sim.url) and not sim.url.endswith(":0")
        assert sim.simulator is simulator
        assert get(sim.url + "/_sim/info")[1]["validation"] is True
        status, body = get(sim.url + "/users/PLINUS1", ADMIN)
        assert status == 200 and body["user"]["email"] == "linus@example.com"
        assert [r["path"] for r in simulator.logged_requests()] == ["/users/PLINUS1"]
    with pytest.raises(urllib.error.URLError):
        get(sim.url + "/_sim/info")


def test_builds_one_from_build_options():
    with pdsim.running(require_validation=True, extra_users=3, rest_rate_limit=7) as sim:
        info = get(sim.url + "/_sim/info")[1]
        assert info["users"] == 8 and info["rest_rate_limit"] == 7 and info["validation"] is True


def test_stop_closes_kept_alive_connections_and_can_be_repeated(contract):
    sim = pdsim.running(simulator=Simulator(contract=contract))
    host, port = sim.server.server_address
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request("GET", "/_sim/info")
    assert connection.getresponse().read()
    sim.stop()
    sim.stop()
    with pytest.raises((OSError, http.client.HTTPException)):
        connection.request("GET", "/_sim/info")
        connection.getresponse().read()
    connection.close()
