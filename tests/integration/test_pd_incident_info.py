"""pd_incident_info against the simulator."""


def test_one_incident_with_its_first_trigger_notes_and_log(ansible, sim):
    incident = sim.create_incident(title="Disk full")
    sim.rest("POST", "/incidents/%s/notes" % incident["id"], {"note": {"content": "looking"}})
    mark = sim.mark()
    result = ansible.adhoc("oncall.pagerduty.pd_incident_info",
                           "incident_id=%s include=first_trigger_log_entries notes=true log_entries=true"
                           % incident["incident_number"], rest=True, check=True).result()
    assert result["changed"] is False
    assert result["incident"]["id"] == incident["id"]
    assert result["incident"]["first_trigger_log_entry"]["type"] == "trigger_log_entry"
    assert [n["content"] for n in result["notes"]] == ["looking"]
    assert result["log_entries"][0]["type"] == "annotate_log_entry"
    assert sim.writes(since=mark) == []


def test_list_filters_across_pages(ansible, sim):
    created = [sim.create_incident(title="Checkout %03d" % n) for n in range(230)]
    other = sim.create_incident(title="Database", service="PSVCPLT")
    sim.resolve_incident(created[0]["id"])
    mark = sim.mark()
    result = ansible.adhoc("oncall.pagerduty.pd_incident_info",
                           "statuses=triggered,acknowledged services='Checkout API' teams=Checkout urgencies=high",
                           rest=True).result()
    assert result["changed"] is False
    assert [i["id"] for i in result["incidents"]] == [i["id"] for i in created[1:]]
    assert result["total"] == 229 and result["truncated"] is False
    assert other["id"] not in [i["id"] for i in result["incidents"]]
    pages = [r for r in sim.requests(since=mark) if r["path"] == "/incidents"]
    assert len(pages) == 3 and pages[0]["query"]["service_ids[]"] == ["PSVCCHK"]


def test_list_by_incident_key(ansible, sim):
    sim.create_incident(incident_key="deploy-7")
    sim.create_incident(incident_key="deploy-8")
    result = ansible.adhoc("oncall.pagerduty.pd_incident_info", "incident_key=deploy-8 date_range=all",
                           rest=True).result()
    assert [i["incident_key"] for i in result["incidents"]] == ["deploy-8"]


def test_bad_combinations(ansible, sim):
    result = ansible.adhoc("oncall.pagerduty.pd_incident_info", "incident_id=PX statuses=triggered", rest=True,
                           expect_rc=2).result()
    assert result["msg"] == "statuses filter a listing and cannot be combined with incident_id"
    result = ansible.adhoc("oncall.pagerduty.pd_incident_info", "notes=true", rest=True, expect_rc=2).result()
    assert result["msg"] == "notes needs incident_id"
    result = ansible.adhoc("oncall.pagerduty.pd_incident_info", "since=yesterday", rest=True, expect_rc=2).result()
    assert "(code 2004)" in result["msg"]


def test_include_custom_fields_for_one_incident_only(ansible, sim):
    incident = sim.create_incident()
    mark = sim.mark()
    result = ansible.adhoc("oncall.pagerduty.pd_incident_info", "incident_id=%s include=custom_fields,teams"
                           % incident["id"], rest=True).result()
    assert result["incident"]["id"] == incident["id"]
    [read] = sim.requests(since=mark)
    assert read["path"] == "/incidents/%s" % incident["id"]
    assert read["query"]["include[]"] == ["custom_fields", "teams"]
    mark = sim.mark()
    listed = ansible.adhoc("oncall.pagerduty.pd_incident_info", "include=custom_fields", rest=True,
                           expect_rc=2).result()
    assert listed["msg"] == "include custom_fields needs incident_id (PagerDuty's incident listing does not accept it)"
    assert sim.requests(since=mark) == []


def test_fields_keep_only_the_attributes_asked_for_and_the_id(ansible, sim):
    first, second = [sim.create_incident(title=t) for t in ("Disk full", "CPU hot")]
    listed = ansible.adhoc("oncall.pagerduty.pd_incident_info", "statuses=triggered fields=status,title,status",
                           rest=True).result()
    assert listed["incidents"] == [{"id": first["id"], "status": "triggered", "title": "Disk full"},
                                   {"id": second["id"], "status": "triggered", "title": "CPU hot"}]
    one = ansible.adhoc("oncall.pagerduty.pd_incident_info", "incident_id=%s fields=incident_number notes=true"
                        % first["id"], rest=True).result()
    assert one["incident"] == {"id": first["id"], "incident_number": first["incident_number"]}
    assert one["notes"] == [], "fields apply to the incidents, not to their notes"
