"""The services area on its own: built on a directory, no incidents, no HTTP."""

import pytest

from pdsim.errors import InvalidInput
from pdsim.model.core import Plumbing
from pdsim.model.directory import Directory
from pdsim.model.services import Services

KEY = "0123456789abcdef0123456789abcdef"
SEED = {
    "users": [{"id": "PANN001", "name": "Ann", "email": "ann@example.com"},
              {"id": "PBEN001", "name": "Ben", "email": "ben@example.com"}],
    "teams": [{"id": "PTEAM01", "name": "Web"}],
    "escalation_policies": [{"id": "PPOL001", "name": "Web On-Call", "teams": ["Web"],
                             "rules": [{"targets": ["ann@example.com"]},
                                       {"escalation_delay_in_minutes": 5, "targets": ["PBEN001", "PANN001"]}]}],
    "services": [{"name": "Web", "escalation_policy": "Web On-Call", "teams": ["PTEAM01"],
                  "integrations": [{"key": KEY}]}],
    "priorities": [{"name": "P1"}, {"name": "P2", "order": 7}],
    "incident_workflows": [{"name": "Bridge", "is_enabled": False}],
}


def build(seed=None):
    seed = SEED if seed is None else seed
    plumbing = Plumbing()
    directory = Directory(plumbing, set())
    services = Services(plumbing, directory)
    directory.load(seed)
    services.load(seed)
    return directory, services


def test_seeded_routing():
    directory, services = build()
    service, integration = services.service_for_routing_key(KEY)
    assert service["name"] == "Web" and integration["service_id"] == service["id"]
    assert services.service_for_routing_key("f" * 32) == (None, None)
    rendered = services.render_service(service)
    assert [t["id"] for t in rendered["teams"]] == ["PTEAM01"] and len(rendered["integrations"]) == 1
    policy = services.escalation_policies.get("PPOL001")
    assert [r["escalation_delay_in_minutes"] for r in policy["escalation_rules"]] == [30, 5]
    assert [s["id"] for s in services.render_escalation_policy(policy)["services"]] == [service["id"]]


def test_who_is_on_call_at_each_level():
    directory, services = build()
    policy = services.escalation_policies.get("PPOL001")
    assert [u["name"] for u in services.on_call_at(policy, 1)] == ["Ann"]
    assert [u["name"] for u in services.on_call_at(policy, 2)] == ["Ben", "Ann"]
    assert services.on_call_at(policy, 3) == [] and services.on_call_at(policy, 0) == []


def test_a_user_on_an_escalation_rule_cannot_be_deleted():
    # (until issue 13 the simulator took a deleted user off the rules, leaving a level with nobody on call)
    directory, services = build()
    with pytest.raises(InvalidInput) as raised:
        directory.delete_user("PANN001")
    assert raised.value.errors == ["User cannot be deleted while they are on escalation policies: Web On-Call"]
    policy = services.escalation_policies.get("PPOL001")
    assert [[t["id"] for t in r["targets"]] for r in policy["escalation_rules"]] == [["PANN001"], ["PBEN001", "PANN001"]]
    assert [p["id"] for p in services.policies_targeting("PANN001")] == ["PPOL001"]


def test_a_team_member_who_is_a_target_of_the_teams_policy_cannot_leave_the_team():
    plumbing = Plumbing()
    directory = Directory(plumbing, {"teams"})
    services = Services(plumbing, directory)
    directory.load(SEED)
    services.load(SEED)
    other = directory.create_user({"name": "Cy", "email": "cy@example.com"})
    for user_id in ("PANN001", other["id"]):
        directory.set_team_member("PTEAM01", user_id)
    with pytest.raises(InvalidInput) as raised:
        directory.remove_team_member("PTEAM01", "PANN001")
    assert (raised.value.status, raised.value.code, raised.value.errors) == (
        400, 2001, ["User cannot be removed as they belong to an escalation policy on this team"])
    assert "PANN001" in directory.team_members["PTEAM01"]
    directory.remove_team_member("PTEAM01", other["id"])       # not on the policy: removed
    assert other["id"] not in directory.team_members["PTEAM01"]


def test_priorities_and_workflows():
    directory, services = build()
    assert [(p["name"], p["order"]) for p in services.priorities.values()] == [("P1", 2048), ("P2", 7)]
    assert services.priority_by_ref("P2")["order"] == 7
    assert services.priority_by_ref({"id": services.priority_by_ref("P1")["id"]})["name"] == "P1"
    with pytest.raises(InvalidInput) as raised:
        services.priority_by_ref({"id": "PNOPE00", "type": "priority_reference"})
    assert raised.value.code == 1020
    assert [w["is_enabled"] for w in services.search_incident_workflows("brid")] == [False]


@pytest.mark.parametrize("change, message", [
    ({"services": [{"name": "S", "escalation_policy": "Nobody's"}]}, "unknown Escalation Policy Nobody's"),
    ({"escalation_policies": [{"name": "E", "teams": ["Ghosts"], "rules": []}]}, "unknown Team Ghosts"),
    ({"escalation_policies": [{"name": "E", "rules": [{"targets": ["ghost@example.com"]}]}]}, "unknown user"),
])
def test_seed_mistakes_are_refused(change, message):
    with pytest.raises(ValueError, match=message):
        build(dict(SEED, **change))
