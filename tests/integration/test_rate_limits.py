"""The modules against PagerDuty's rate limits as the simulator models them (tests/pdsim/limits.py): the operation
specific limits of POST /incidents, PUT /incidents and GET /oncalls, and one budget for all of a user's keys.

Two requests of the same operation under a limit of one per window: the second is answered 429, waits for
``ratelimit-reset`` and is carried out once. Through ansible-playbook the window is 3 s, so that the second task
certainly falls in it (tasks of one play follow each other within a second); in-process (the module's code and the
client, no Ansible process) 1 s."""

import json

from ansible_collections.oncall.pagerduty.plugins.modules import pd_incident, pd_incident_note, pd_oncall_info
from in_process import run_module
from pd_harness import ADMIN_EMAIL, ADMIN_TOKEN

WINDOW = 3


def limit(sim, operation, window=WINDOW):
    """At most one request to ``operation`` ("POST /incidents", ...) per window."""
    status, config = sim.call("POST", "/_sim/config", {"operation_rate_limits": {operation: 1},
                                                       "rate_limit_window": window})
    assert status == 200 and config["operation_rate_limits"] == {operation: 1}


def play(ansible, tmp_path, tasks):
    path = tmp_path / "play.yml"
    path.write_text(json.dumps([{"name": "Under a rate limit", "hosts": "localhost", "gather_facts": False,
                                 "tasks": tasks}]))
    return ansible.playbook(str(path))


def answered(sim, method, path, since=0):
    return [r["status"] for r in sim.requests(since=since) if r["method"] == method and r["path"] == path]


def in_process(sim, module, **args):
    result = run_module(module, dict(args, api_url=sim.url, api_token=ADMIN_TOKEN, from_email=ADMIN_EMAIL))
    assert result.get("failed") is not True, result
    return result


def test_the_second_incident_creation_waits_for_the_limit_of_its_own(local_sim):
    # (in-process: the module's code and the client, one right after the other, inside a window of 1 s)
    sim = local_sim
    limit(sim, "POST /incidents", window=1)
    mark = sim.mark()
    for key in ("lim-1", "lim-2"):
        assert in_process(sim, pd_incident, service="PSVCCHK", title="Limited %s" % key, incident_key=key)["changed"]
    assert answered(sim, "POST", "/incidents", mark) == [201, 429, 201], "refused once, then created once"
    for key in ("lim-1", "lim-2"):
        assert len(sim.incidents(incident_key=key)) == 1


def test_the_second_bulk_update_waits_for_the_limit_of_its_own(ansible, sim, tmp_path):
    storm = [sim.create_incident(title="Limited %d" % n)["id"] for n in range(2)]
    limit(sim, "PUT /incidents")
    mark = sim.mark()
    run = play(ansible, tmp_path, [
        {"name": "Acknowledge", "oncall.pagerduty.pd_incidents": {"incident_ids": storm, "status": "acknowledged"}},
        {"name": "Resolve", "oncall.pagerduty.pd_incidents": {"incident_ids": storm, "status": "resolved"}}])
    assert "changed=2" in run.stdout
    assert answered(sim, "PUT", "/incidents", mark) == [200, 429, 200]
    for incident in storm:
        kinds = [e["type"] for e in sim.log_entries(incident)]
        assert kinds.count("acknowledge_log_entry") == 1 and kinds.count("resolve_log_entry") == 1


def test_the_second_oncall_listing_waits_for_the_limit_of_its_own(local_sim):
    sim = local_sim
    limit(sim, "GET /oncalls", window=1)
    mark = sim.mark()
    for unused in range(2):
        assert in_process(sim, pd_oncall_info, escalation_policies="PEPCHK1")["oncalls"]
    assert answered(sim, "GET", "/oncalls", mark) == [200, 429, 200]


def test_a_users_other_key_waits_for_the_budget_the_user_spent(local_sim):
    """PagerDuty counts a user's requests together across all of the user's API keys: the admin's scripts spent the
    budget with one key, so the module, run with the admin's other key, is answered 429 and waits (in-process: the
    module's code and the client against the simulator, so that the window is short and the timing certain)."""
    sim = local_sim
    status, config = sim.call("POST", "/_sim/config", {"rest_rate_limit": 2, "rate_limit_window": 1})
    assert status == 200 and config["rest_rate_limit"] == 2
    incident = sim.create_incident(title="Limited")["id"]     # (the admin's first key: 1 request of 2)
    sim.incident(incident)                                      # (2 of 2)
    mark = sim.mark()
    result = run_module(pd_incident_note, {"api_url": sim.url, "api_token": "pdsim-admin-second-token",
                                           "from_email": ADMIN_EMAIL, "incident_id": incident, "note": "Limited"})
    assert result.get("failed") is not True and result["changed"] is True, result
    answered = [(r["method"], r["status"]) for r in sim.requests(since=mark)]
    assert answered[0][1] == 429, "the other key found the user's budget spent: %s" % answered
    assert [status for method, status in answered if method == "POST"] == [200], "the note was added once"
