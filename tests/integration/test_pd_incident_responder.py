"""pd_incident_responder against the simulator."""


def requests_sent(sim, since=0):
    return [r for r in sim.requests(since=since) if r["path"].endswith("/responder_requests")]


def test_responders_playbook(ansible, sim):
    incident = sim.create_incident()
    mark = sim.mark()
    ansible.playbook("pd_incident_responder/responders.yml", {"incident_id": incident["id"]})
    sent = requests_sent(sim, mark)
    assert len(sent) == 1
    assert sent[0]["body"] == {
        "requester_id": "PADMIN1", "message": "Checkout DB saturated - please join the bridge",
        "responder_request_targets": [
            {"responder_request_target": {"id": "PGRACE1", "type": "user_reference"}},
            {"responder_request_target": {"id": "PEPPLT1", "type": "escalation_policy_reference"}}]}
    responders = {r["user"]["id"]: r["state"] for r in sim.incident(incident["id"])["incidents_responders"]}
    assert responders == {"PGRACE1": "pending", "PMARGRT": "pending"}


def test_declined_responders_can_be_requested_again(ansible, sim):
    incident = sim.create_incident()
    args = "incident_id=%s users=PGRACE1,PMARGRT" % incident["id"]
    ansible.adhoc("oncall.pagerduty.pd_incident_responder", args, rest=True)
    sim.call("POST", "/_sim/responders", {"incident_id": incident["id"], "user_id": "PGRACE1", "state": "joined"})
    sim.call("POST", "/_sim/responders", {"incident_id": incident["id"], "user_id": "PMARGRT", "state": "declined"})
    result = ansible.adhoc("oncall.pagerduty.pd_incident_responder", args, rest=True).result()
    assert result["requested"] == ["user:PMARGRT"] and result["already_requested"] == ["user:PGRACE1"]
    assert result["responder_request"]["message"].startswith("Please help with incident [#")


def test_retry_does_not_duplicate_the_request(ansible, sim):
    incident = sim.create_incident()
    path = "^/incidents/%s/responder_requests$" % incident["id"]
    sim.fault(method="POST", path=path, status=429, headers={"ratelimit-reset": "1"}, count=1)
    sim.fault(method="POST", path=path, status=503, after=True, count=1)
    mark = sim.mark()
    result = ansible.adhoc("oncall.pagerduty.pd_incident_responder", "incident_id=%s users=grace@example.com"
                           % incident["id"], rest=True).result()
    assert result["changed"] is True
    assert [r["status"] for r in requests_sent(sim, mark)] == [429, 503], \
        "after the 503 the module re-read the incident and found its request instead of resending it"
    assert len(sim.incident(incident["id"])["responder_requests"]) == 1


def test_resolved_incident_is_refused_before_sending(ansible, sim):
    incident = sim.create_incident()
    sim.resolve_incident(incident["id"])
    mark = sim.mark()
    result = ansible.adhoc("oncall.pagerduty.pd_incident_responder", "incident_id=%s users=PGRACE1"
                           % incident["id"], rest=True, expect_rc=2).result()
    assert result["msg"].startswith("incident %s is resolved: a responder request needs an open incident"
                                    % incident["id"])
    assert sim.writes(since=mark) == []


def test_bad_targets_name_what_was_found(ansible, sim):
    result = ansible.adhoc("oncall.pagerduty.pd_incident_responder", "incident_id=PX escalation_policies=Checkout",
                           rest=True, expect_rc=2).result()
    assert result["msg"] == ("escalation_policies: no escalation policy is named 'Checkout'; found: "
                             "Checkout Escalation (PEPCHK1)")
    none = ansible.adhoc("oncall.pagerduty.pd_incident_responder", "incident_id=PX", rest=True,
                         expect_rc=2).result()
    assert none["msg"] == "give users or escalation_policies (or both) to request"


def test_feature_missing_is_pagerdutys_402(ansible, sim):
    sim.reset_without_abilities("coordinated_responding")
    incident = sim.create_incident()
    result = ansible.adhoc("oncall.pagerduty.pd_incident_responder", "incident_id=%s users=PGRACE1"
                           % incident["id"], rest=True, expect_rc=2).result()
    assert result["msg"].startswith("PagerDuty REST API error 402 (code 2014) on POST /incidents/%s/responder_requests"
                                    % incident["id"])


def test_users_by_name(ansible, sim):
    incident = sim.create_incident()
    mark = sim.mark()
    result = ansible.adhoc("oncall.pagerduty.pd_incident_responder", "incident_id=%s users='Grace Hopper'"
                           % incident["id"], rest=True).result()
    assert result["requested"] == ["user:PGRACE1"]
    assert [r["query"]["query"] for r in sim.requests(since=mark) if r["path"] == "/users"] == [
        ["admin@example.com"], ["Grace Hopper"]], "one lookup for the requester's email, one for the name"
    assert [t["responder_request_target"]["id"] for t in requests_sent(sim, mark)[0]["body"][
        "responder_request_targets"]] == ["PGRACE1"]
    unknown = ansible.adhoc("oncall.pagerduty.pd_incident_responder", "incident_id=%s users='Nobody Here'"
                            % incident["id"], rest=True, expect_rc=2).result()
    assert unknown["msg"].startswith("users: ") and "'Nobody Here'" in unknown["msg"]
