"""pd_incident_workflow and pd_incident_status_update: actions that always report changed."""

import pytest


def test_workflow_starts_each_run_and_never_in_check_mode(ansible, sim):
    incident = sim.create_incident()
    args = "incident_id=%s workflow='Major Incident Response'" % incident["id"]
    mark = sim.mark()
    checked = ansible.adhoc("oncall.pagerduty.pd_incident_workflow", args, rest=True, check=True).result()
    assert checked["changed"] is True and "incident_workflow_instance" not in checked
    assert checked["workflow_id"] == "PWFMAJR" and checked["incident_id"] == incident["id"]
    assert [r["method"] for r in sim.requests(since=mark)] == ["GET"] * len(sim.requests(since=mark)), \
        "check mode only reads"
    assert sim.state("workflow_instances") == []
    first = ansible.adhoc("oncall.pagerduty.pd_incident_workflow", args, rest=True).result()
    second = ansible.adhoc("oncall.pagerduty.pd_incident_workflow", args, rest=True).result()
    assert first["changed"] is True and second["changed"] is True
    assert first["workflow_id"] == "PWFMAJR"
    assert first["incident_workflow_instance"]["incident"]["id"] == incident["id"]
    instances = sim.state("workflow_instances")
    assert len(instances) == 2 and all(i["incident"]["id"] == incident["id"] for i in instances)


def test_workflow_by_unknown_name(ansible, sim):
    result = ansible.adhoc("oncall.pagerduty.pd_incident_workflow", "incident_id=PX workflow='Major'", rest=True,
                           expect_rc=2).result()
    assert result["msg"] == ("workflow: no incident workflow is named 'Major'; found: "
                             "Major Incident Response (PWFMAJR)")


def test_workflow_lost_answer_is_not_resent(ansible, sim):
    incident = sim.create_incident()
    sim.fault(method="POST", path="/instances$", drop="reset", after=True, count=1)
    result = ansible.adhoc("oncall.pagerduty.pd_incident_workflow", "incident_id=%s workflow=PWFMAJR"
                           % incident["id"], rest=True, expect_rc=2).result()
    assert "it was not retried because repeating POST /incident_workflows/PWFMAJR/instances could apply it twice" \
        in result["msg"]
    assert len(sim.state("workflow_instances")) == 1


def test_status_update(ansible, sim):
    incident = sim.create_incident()
    args = "incident_id=%s msg='Fix rolling out; next update in 30 minutes'" % incident["id"]
    mark = sim.mark()
    checked = ansible.adhoc("oncall.pagerduty.pd_incident_status_update", args, rest=True, check=True).result()
    assert checked["changed"] is True and "status_update" not in checked
    assert [(r["method"], r["path"]) for r in sim.requests(since=mark)] == [
        ("GET", "/incidents/%s" % incident["id"])], "check mode reads the incident and sends nothing"
    assert sim.state("status_updates") == {}
    sent = ansible.adhoc("oncall.pagerduty.pd_incident_status_update",
                         args + " subject='Checkout degraded' html_message='<p>Fix rolling out</p>'",
                         rest=True).result()
    assert sent["changed"] is True and sent["status_update"]["sender"]["id"] == "PADMIN1"
    updates = sim.state("status_updates")[incident["id"]]
    assert [u["message"] for u in updates] == ["Fix rolling out; next update in 30 minutes"]
    assert updates[0]["subject"] == "Checkout degraded"


@pytest.mark.parametrize("args, message", [
    ("incident_id=PX msg=hi subject=only", "parameters are required together: subject, html_message"),
    ("incident_id=PX msg=' '", "msg must not be empty"),
])
def test_status_update_bad_input(ansible, sim, args, message):
    result = ansible.adhoc("oncall.pagerduty.pd_incident_status_update", args, rest=True, expect_rc=2).result()
    assert message in result["msg"]
    assert sim.requests() == []


def test_features_missing_are_pagerdutys_402(ansible, sim):
    sim.reset_without_abilities("incident_workflows", "status_updates")
    incident = sim.create_incident()
    workflow = ansible.adhoc("oncall.pagerduty.pd_incident_workflow", "incident_id=%s workflow=PWFMAJR"
                             % incident["id"], rest=True, expect_rc=2).result()
    assert workflow["msg"].startswith("PagerDuty REST API error 402 (code 2014) on POST "
                                      "/incident_workflows/PWFMAJR/instances: Missing Account Ability")
    update = ansible.adhoc("oncall.pagerduty.pd_incident_status_update", "incident_id=%s msg=hi"
                           % incident["id"], rest=True, expect_rc=2).result()
    assert update["msg"].startswith("PagerDuty REST API error 402 (code 2014) on POST /incidents/%s/status_updates"
                                    % incident["id"])
