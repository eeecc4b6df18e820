"""pd_incident meets what PagerDuty does on its own or refuses (issue 13): one assignee on a new incident, an
incident its creator assigns to themselves starts acknowledged, an object body may be refused, and ``status``
alone may not take an acknowledged incident back to triggered.  Each through ``ansible -m``, changed then not."""

import pytest


def pd_incident(ansible, args, check=False, diff=False, expect_rc=0):
    return ansible.adhoc("oncall.pagerduty.pd_incident", args, rest=True, check=check, diff=diff,
                         expect_rc=expect_rc).result()


def posts(sim, since, path="/incidents"):
    return [r for r in sim.requests(since=since) if r["method"] == "POST" and r["path"] == path]


def test_a_new_incident_assigned_to_its_creator_starts_acknowledged_and_check_mode_says_so(ansible, sim):
    # (developer docs, Incident Creation API: "When a user creates an incident assigned to themselves, the incident
    # will be created in the Acknowledged state")
    args = "service='Checkout API' title='Mine' incident_key=mine-1 assignees=admin@example.com"
    checked = pd_incident(ansible, args, check=True)
    assert checked["changed"] is True and checked["incident"]["status"] == "acknowledged"
    assert sim.writes() == []
    created = pd_incident(ansible, args)
    assert created["created"] is True and created["incident"]["status"] == "acknowledged"
    again = pd_incident(ansible, args)
    assert again["changed"] is False and again["created"] is False


def test_several_assignees_are_created_with_the_first_and_then_assigned(ansible, sim):
    mark = sim.mark()
    args = "service='Checkout API' title='Ours' incident_key=ours-1 assignees=grace@example.com,linus@example.com"
    result = pd_incident(ansible, args)
    assert result["changed"] is True
    assert sorted(a["assignee"]["id"] for a in result["incident"]["assignments"]) == ["PGRACE1", "PLINUS1"]
    created, = posts(sim, mark)
    assert len(created["body"]["incident"]["assignments"]) == 1, "PagerDuty takes one assignee on a new incident"
    assert [r["method"] for r in sim.writes(since=mark)] == ["POST", "PUT"]
    assert pd_incident(ansible, args)["changed"] is False


@pytest.mark.parametrize("string_bodies", [False, True], ids=["object body accepted", "object body refused"])
def test_a_body_reaches_the_incident_under_either_reading_of_pagerdutys_documents(ansible, sim, string_bodies):
    sim.call("POST", "/_sim/config", {"string_incident_bodies": string_bodies})
    mark = sim.mark()
    result = pd_incident(ansible, "service='Checkout API' title='Disk full' incident_key=disk-1 body='at 95%'")
    assert result["changed"] is True and result["created"] is True
    incident_id = result["incident"]["id"]
    notes = sim.rest("GET", "/incidents/%s/notes" % incident_id)["notes"]
    created = [r["status"] for r in posts(sim, mark)]
    if string_bodies:
        assert created == [400, 201], "refused for its body, then created without it"
        assert [n["content"] for n in notes] == ["at 95%"], "the details are its first note"
    else:
        assert created == [201] and notes == []
        assert posts(sim, mark)[0]["body"]["incident"]["body"]["details"] == {"description": "at 95%"}
    assert len(sim.incidents(incident_key="disk-1")) == 1


def test_triggered_on_an_acknowledged_incident_pages_its_level_again(ansible, sim):
    incident = sim.create_incident()            # level 1 of Checkout Escalation: Linus
    sim.rest("PUT", "/incidents/%s" % incident["id"], {"incident": {"type": "incident_reference",
                                                                    "status": "acknowledged"}})
    mark = sim.mark()
    run = ansible.adhoc("oncall.pagerduty.pd_incident", "incident_id=%s status=triggered" % incident["id"],
                        diff=True, rest=True)
    result = run.result()
    assert result["changed"] is True and result["incident"]["status"] == "triggered"
    put, = sim.writes(since=mark)
    assert put["body"]["incident"] == {"type": "incident_reference", "status": "triggered", "escalation_level": 1}
    assert '-    "status": "acknowledged"\n+    "status": "triggered"' in run.stdout
    mark = sim.mark()
    assert pd_incident(ansible, "incident_id=%s status=triggered" % incident["id"])["changed"] is False
    assert sim.writes(since=mark) == []
    # what the simulator does with status alone (PagerDuty's community answers): nothing
    sim.rest("PUT", "/incidents/%s" % incident["id"], {"incident": {"type": "incident_reference",
                                                                    "status": "acknowledged"}})
    alone = sim.rest("PUT", "/incidents/%s" % incident["id"], {"incident": {"type": "incident_reference",
                                                                            "status": "triggered"}})
    assert alone["incident"]["status"] == "acknowledged"
