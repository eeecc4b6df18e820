"""The ready playbooks of playbooks/ (one per Rundeck PagerDuty step), run as Rundeck's Playbook step runs them.

Each is run with ``ansible-playbook <playbook> -e @vars`` against the simulator, with ``ANSIBLE_SHOW_CUSTOM_STATS``
on, and its ``set_stats`` outputs are read from the output with the very regular expression of Rundeck's
``ansible-set-stats`` log filter (rundeck-plugins/ansible-plugin, AnsibleSetStatsFilterPlugin), which turns them into
``${data.NAME}``. That filter reads each value with ``getAsString()``, so a list, an object or null would break it:
the tests check every published value is a string, a number or a boolean.
"""

import datetime
import json
import os
import re
import sys

import pytest

from pd_harness import ADMIN_EMAIL, ADMIN_TOKEN, REPO, ROUTING_KEY

PLAYBOOKS = os.path.join(REPO, "playbooks")
RUNDECK_SET_STATS = re.compile(r"^\tRUN:\s(\{.*\})$")


def play(ansible, name, extra=None, env=None, **kwargs):
    env = dict({"ANSIBLE_SHOW_CUSTOM_STATS": "true"}, **(env or {}))
    return ansible.playbook(os.path.join(PLAYBOOKS, name + ".yml"), extra, env=env, **kwargs)


def stats(run):
    """The data Rundeck's set_stats filter would capture from this run's output."""
    found = [json.loads(m.group(1)) for m in map(RUNDECK_SET_STATS.match, run.stdout.splitlines()) if m]
    assert len(found) == 1, run
    for name, value in found[0].items():
        assert name.startswith("pd_"), name
        assert isinstance(value, (str, int, float, bool)), (name, value)
    return found[0]


def writes(sim, since):
    return [(w["method"], w["path"]) for w in sim.writes(since=since)]


def test_incident_note(ansible, sim):
    incident = sim.create_incident()
    mark = sim.mark()
    first = stats(play(ansible, "incident_note", {"pd_incident_id": incident["id"], "pd_note": "Rolled back to 1.4.1"}))
    notes = sim.state("notes")[incident["id"]]
    assert [n["content"] for n in notes] == ["Rolled back to 1.4.1"]
    assert first == {"pd_incident_id": incident["id"], "pd_note_id": notes[0]["id"], "pd_note_added": True}
    again = stats(play(ansible, "incident_note", {"pd_incident_id": str(incident["incident_number"]),
                                                  "pd_note": "Rolled back to 1.4.1"}))
    assert again == {"pd_incident_id": incident["id"], "pd_note_id": notes[0]["id"], "pd_note_added": False}
    assert writes(sim, mark) == [("POST", "/incidents/%s/notes" % incident["id"])], "the re-run wrote nothing"


def test_incident_update_then_resolve(ansible, sim):
    incident = sim.create_incident()
    mark = sim.mark()
    # Rundeck passes the options left blank as empty strings: they count as not set.
    first = stats(play(ansible, "incident_update", {
        "pd_incident_id": incident["id"], "pd_status": "acknowledged", "pd_priority": "P2", "pd_urgency": "low",
        "pd_resolution": "", "pd_assignees": "", "pd_title": ""}))
    assert first["pd_changed"] is True and first["pd_incident_status"] == "acknowledged"
    assert first["pd_incident_number"] == str(incident["incident_number"])
    assert first["pd_incident_html_url"] == incident["html_url"]
    after = sim.incident(incident["id"])
    assert after["status"] == "acknowledged" and after["priority"]["summary"] == "P2" and after["urgency"] == "low"
    same = stats(play(ansible, "incident_update", {"pd_incident_id": incident["id"], "pd_status": "acknowledged"}))
    assert same["pd_changed"] is False
    assignees = stats(play(ansible, "incident_update", {"pd_incident_id": incident["id"],
                                                        "pd_assignees": "grace@example.com,PMARGRT"}))
    assert assignees["pd_changed"] is True
    assert sorted(a["assignee"]["id"] for a in sim.incident(incident["id"])["assignments"]) == ["PGRACE1", "PMARGRT"]
    resolved = stats(play(ansible, "incident_update", {"pd_incident_id": incident["id"], "pd_status": "resolved",
                                                       "pd_resolution": "Rolled back to 1.4.1"}))
    assert resolved["pd_incident_status"] == "resolved"
    resolve = [e for e in sim.log_entries(incident["id"]) if e["type"] == "resolve_log_entry"]
    assert [e["note"] for e in resolve] == ["Rolled back to 1.4.1"]
    assert [m for m, p in writes(sim, mark)] == ["PUT", "PUT", "PUT"], "one write per change, none for the repeat"


def test_incident_update_in_check_mode_writes_nothing(ansible, sim):
    incident = sim.create_incident()
    mark = sim.mark()
    data = stats(play(ansible, "incident_update", {"pd_incident_id": incident["id"], "pd_status": "resolved"},
                      check=True))
    # Check mode reports the change and publishes the incident as it is (pd_incident's return in check mode).
    assert data["pd_changed"] is True and data["pd_incident_status"] == "triggered"
    assert writes(sim, mark) == [] and sim.incident(incident["id"])["status"] == "triggered"


def test_incident_status_with_stakeholder_message(ansible, sim):
    incident = sim.create_incident()
    data = stats(play(ansible, "incident_status", {
        "pd_incident_id": incident["id"], "pd_status": "acknowledged",
        "pd_status_message": "Rolling back; next update in 30 minutes"}))
    updates = sim.state("status_updates")[incident["id"]]
    assert [u["message"] for u in updates] == ["Rolling back; next update in 30 minutes"]
    assert data["pd_status_update_id"] == updates[0]["id"] and data["pd_incident_status"] == "acknowledged"
    mark = sim.mark()
    quiet = stats(play(ansible, "incident_status", {"pd_incident_id": incident["id"], "pd_status": "acknowledged",
                                                    "pd_status_message": ""}))
    assert quiet["pd_changed"] is False and quiet["pd_status_update_id"] == ""
    assert writes(sim, mark) == []
    # The status is already acknowledged: only the status update is sent, and that is a change.
    update = stats(play(ansible, "incident_status", {"pd_incident_id": incident["id"], "pd_status": "acknowledged",
                                                     "pd_status_message": "Rolled back; monitoring"}))
    assert writes(sim, mark) == [("POST", "/incidents/%s/status_updates" % incident["id"])]
    assert update["pd_changed"] is True and update["pd_status_update_id"] != ""


def test_incident_escalate(ansible, sim):
    incident = sim.create_incident()
    mark = sim.mark()
    first = stats(play(ansible, "incident_escalate", {"pd_incident_id": incident["id"], "pd_escalation_level": "2"}))
    assert first["pd_changed"] is True and first["pd_escalation_level"] == "2"
    again = stats(play(ansible, "incident_escalate", {"pd_incident_id": incident["id"], "pd_escalation_level": 2}))
    assert again["pd_changed"] is False, "already at level 2: nobody is paged again"
    forced = stats(play(ansible, "incident_escalate", {"pd_incident_id": incident["id"], "pd_escalation_level": 2,
                                                       "pd_force": "true"}))
    assert forced["pd_changed"] is True
    assert [m for m, p in writes(sim, mark)] == ["PUT", "PUT"]
    assert [e["type"] for e in sim.log_entries(incident["id"])].count("escalate_log_entry") == 2


def test_incident_escalation_policy_by_name(ansible, sim):
    incident = sim.create_incident()
    data = stats(play(ansible, "incident_escalation_policy", {"pd_incident_id": incident["id"],
                                                              "pd_escalation_policy": "Platform On-Call"}))
    assert data["pd_changed"] is True and data["pd_escalation_policy_id"] == "PEPPLT1"
    assert sim.incident(incident["id"])["escalation_policy"]["id"] == "PEPPLT1"


def test_incident_get(ansible, sim):
    incident = sim.create_incident(incident_key="deploy-1.4.2")
    sim.rest("POST", "/incidents/%s/notes" % incident["id"], {"note": {"content": "Looking"}})
    mark = sim.mark()
    data = stats(play(ansible, "incident_get", {"pd_incident_id": str(incident["incident_number"]),
                                                "pd_include_notes": True, "pd_include": "first_trigger_log_entries"}))
    assert data == {
        "pd_incident_id": incident["id"], "pd_incident_number": str(incident["incident_number"]),
        "pd_incident_status": "triggered", "pd_incident_title": "Checkout failing", "pd_incident_urgency": "high",
        "pd_incident_html_url": incident["html_url"], "pd_incident_key": "deploy-1.4.2",
        "pd_incident_created_at": incident["created_at"], "pd_incident_service_id": "PSVCCHK",
        "pd_incident_service_name": "Checkout API", "pd_incident_escalation_policy_id": "PEPCHK1",
        "pd_incident_priority": "", "pd_incident_assignees": "PLINUS1", "pd_incident_notes_count": "1",
        "pd_incident_last_note": "Looking"}
    assert writes(sim, mark) == []


def test_incident_responders(ansible, sim):
    incident = sim.create_incident()
    mark = sim.mark()
    first = stats(play(ansible, "incident_responders", {
        "pd_incident_id": incident["id"], "pd_users": "grace@example.com,PMARGRT",
        "pd_escalation_policies": "", "pd_message": "Please join the bridge"}))
    assert first["pd_changed"] is True
    assert sorted(first["pd_requested"].split(",")) == ["user:PGRACE1", "user:PMARGRT"]
    again = stats(play(ansible, "incident_responders", {"pd_incident_id": incident["id"],
                                                        "pd_users": ["PGRACE1", "margaret@example.com"]}))
    assert again["pd_changed"] is False and again["pd_requested"] == ""
    assert sorted(again["pd_already_requested"].split(",")) == ["user:PGRACE1", "user:PMARGRT"]
    assert [p for m, p in writes(sim, mark)] == ["/incidents/%s/responder_requests" % incident["id"]]


def test_incident_workflow(ansible, sim):
    incident = sim.create_incident()
    data = stats(play(ansible, "incident_workflow", {"pd_incident_id": incident["id"],
                                                     "pd_workflow": "Major Incident Response"}))
    instances = sim.state("workflow_instances")
    assert len(instances) == 1 and instances[0]["incident"]["id"] == incident["id"]
    assert data == {"pd_incident_id": incident["id"], "pd_workflow_id": "PWFMAJR",
                    "pd_workflow_instance_id": instances[0]["id"]}


def test_incidents_bulk(ansible, sim):
    storm = [sim.create_incident(title="Storm %d" % n)["id"] for n in range(3)]
    elsewhere = sim.create_incident(title="Database", service="PSVCPLT")["id"]
    mark = sim.mark()
    first = stats(play(ansible, "incidents_bulk", {"pd_services": "Checkout API", "pd_statuses": "triggered",
                                                   "pd_status": "acknowledged", "pd_incident_ids": "", "pd_title": ""}))
    assert first == {"pd_changed": True, "pd_selected_count": "3", "pd_changed_count": "3", "pd_unchanged_count": "0",
                     "pd_changed_ids": ",".join(storm), "pd_failed_ids": "", "pd_skipped_ids": ""}
    again = stats(play(ansible, "incidents_bulk", {"pd_services": "Checkout API", "pd_statuses": "triggered",
                                                   "pd_status": "acknowledged"}))
    assert again["pd_changed"] is False and again["pd_selected_count"] == "0"
    assert writes(sim, mark) == [("PUT", "/incidents")], "one bulk request; the re-run wrote nothing"
    assert sim.incident(elsewhere)["status"] == "triggered"
    # As Rundeck passes job options: in the environment, free text as typed, incident numbers comma-separated.
    numbers = ",".join(str(sim.incident(i)["incident_number"]) for i in storm[:2])
    resolved = stats(play(ansible, "incidents_bulk", {}, env={"pd_incident_ids": numbers, "pd_status": "resolved",
                                                              "pd_resolution": AWKWARD, "pd_statuses": "acknowledged"}))
    assert resolved["pd_changed_ids"] == ",".join(storm[:2]) and resolved["pd_unchanged_count"] == "0"
    assert [e["note"] for e in sim.log_entries(storm[0]) if e["type"] == "resolve_log_entry"] == [AWKWARD]


def test_incidents_bulk_stopped_part_way_publishes_what_changed(ansible, sim):
    storm = [sim.create_incident(title="Storm %d" % n)["id"] for n in range(2)]
    sim.fault(method="PUT", path="^/incidents$", status=403, count=None)
    run = play(ansible, "incidents_bulk", {"pd_incident_ids": ",".join(storm), "pd_urgency": "low"}, expect_rc=2)
    data = stats(run)
    assert data["pd_changed"] is False and data["pd_failed_ids"] == ",".join(storm)
    assert data["pd_changed_count"] == "0" and data["pd_selected_count"] == "2"
    assert "PagerDuty REST API error 403 (code 2010) on PUT /incidents: Access Denied" in run.stdout


def test_send_event_trigger_then_resolve(ansible, sim):
    # The routing key in the environment, as on a Rundeck node.
    env = {"PAGERDUTY_ROUTING_KEY": ROUTING_KEY}
    triggered = stats(play(ansible, "send_event", {
        "pd_summary": "Disk 95% full on db1", "pd_severity": "critical", "pd_source": "db1",
        "pd_custom_details": '{"free": "5%"}', "pd_links": "https://runbooks.example.com/disk", "pd_dedup_key": "",
        "pd_component": "postgres"}, env=env))
    key = triggered["pd_dedup_key"]
    assert key and triggered["pd_event_status"] == "success"
    [incident] = sim.incidents(incident_key=key)
    assert incident["title"] == "Disk 95% full on db1" and incident["status"] == "triggered"
    event = sim.events()["events"][-1]
    assert event["payload"]["custom_details"] == {"free": "5%"} and event["payload"]["component"] == "postgres"
    resolved = stats(play(ansible, "send_event", {"pd_event_action": "resolve", "pd_dedup_key": key}, env=env))
    assert resolved["pd_dedup_key"] == key
    assert sim.incident(incident["id"])["status"] == "resolved"


def test_send_event_routing_key_as_extra_var(ansible, sim):
    data = stats(play(ansible, "send_event", {"pd_summary": "CPU high", "pd_severity": "warning",
                                              "pd_routing_key": ROUTING_KEY, "pd_dedup_key": "cpu-web1"}))
    assert data["pd_dedup_key"] == "cpu-web1"
    assert len(sim.incidents(incident_key="cpu-web1")) == 1


def test_send_change_event(ansible, sim):
    data = stats(play(ansible, "send_change_event", {
        "pd_summary": "Deployed checkout-api 1.4.2", "pd_custom_details": {"version": "1.4.2", "by": "alice"},
        "pd_links": "https://git.example.com/checkout-api/releases/1.4.2", "pd_source": ""},
        env={"PAGERDUTY_ROUTING_KEY": ROUTING_KEY}))
    assert data == {"pd_change_event_status": "success", "pd_change_event_message": "Change event processed"}
    [change] = sim.events()["change_events"]
    assert change["summary"] == "Deployed checkout-api 1.4.2"
    assert change["custom_details"] == {"version": "1.4.2", "by": "alice"}
    assert [link["href"] for link in change["links"]] == ["https://git.example.com/checkout-api/releases/1.4.2"]


def test_user_lifecycle(ansible, sim):
    new = {"pd_user_email": "jane.doe@example.com", "pd_user_name": "Jane Doe", "pd_role": "Responder",
           "pd_teams": "Checkout", "pd_job_title": "", "pd_time_zone": "Europe/Paris"}
    created = stats(play(ansible, "user_create", new))
    user_id = created["pd_user_id"]
    assert created["pd_user_created"] is True and created["pd_user_role"] == "limited_user"
    assert created["pd_user_teams"] == "PTCHKOT" and created["pd_user_time_zone"] == "Europe/Paris"
    mark = sim.mark()
    again = stats(play(ansible, "user_create", new))
    assert again["pd_user_created"] is False and again["pd_changed"] is False and again["pd_user_id"] == user_id
    assert writes(sim, mark) == [], "an existing user is not created twice"
    updated = stats(play(ansible, "user_update", {"pd_user_email": "JANE.DOE@example.com", "pd_job_title": "SRE",
                                                  "pd_teams": "Platform", "pd_teams_mode": "exact"}))
    assert updated["pd_changed"] is True and updated["pd_user_job_title"] == "SRE"
    assert updated["pd_user_teams"] == "PTPLATF"
    got = stats(play(ansible, "user_get", {"pd_user_id": user_id}))
    assert got["pd_user_email"] == "jane.doe@example.com" and got["pd_user_name"] == "Jane Doe"
    listed = stats(play(ansible, "user_list", {"pd_query": "example.com", "pd_team_ids": "Platform"}))
    assert listed["pd_user_ids"].split(",") == [user_id, "PKENOBS", "PMARGRT"], "by name: Jane, Ken, Margaret"
    assert listed["pd_user_count"] == "3" and listed["pd_users_truncated"] is False
    deleted = stats(play(ansible, "user_delete", {"pd_user_email": "jane.doe@example.com"}))
    assert deleted["pd_user_deleted"] is True and deleted["pd_user_id"] == user_id
    gone = stats(play(ansible, "user_delete", {"pd_user_id": user_id}))
    assert gone["pd_user_deleted"] is False and gone["pd_user_id"] == ""


def test_user_update_never_creates(ansible, sim):
    mark = sim.mark()
    run = play(ansible, "user_update", {"pd_user_email": "nobody@example.com", "pd_job_title": "SRE"}, expect_rc=2)
    assert "nobody@example.com" in run.stdout
    assert writes(sim, mark) == []


# Free text as people type it: YAML would read "a: b" as a mapping (or fail), "#..." as a comment, "no" as false,
# and Ansible would run "{{ }}" from an extra var as a template.
AWKWARD = 'Rolled back: bad deploy #123 "reverted" {{ 7 * 7 }}'


def test_maintenance_window(ansible, sim):
    mark = sim.mark()
    inputs = {"pd_services": "Checkout API", "pd_description": "Deploy 1.4.2", "pd_duration": "30m", "pd_end": "",
              "pd_window_id": "", "pd_teams": ""}
    opened = stats(play(ansible, "maintenance_window", inputs))
    assert opened["pd_window_created"] is True and opened["pd_changed"] is True
    assert opened["pd_window_services"] == "PSVCCHK" and opened["pd_window_description"] == "Deploy 1.4.2"
    again = stats(play(ansible, "maintenance_window", inputs))
    assert again["pd_changed"] is False and again["pd_window_id"] == opened["pd_window_id"]
    assert again["pd_window_state"] == "ongoing"
    ended = stats(play(ansible, "maintenance_window", {"pd_window_id": opened["pd_window_id"], "pd_state": "absent"}))
    assert ended["pd_changed"] is True and ended["pd_window_end"] < opened["pd_window_end"]
    assert [m for m, p in writes(sim, mark)] == ["POST", "DELETE"]


def test_oncall_get(ansible, sim):
    found = stats(play(ansible, "oncall_get", {"pd_services": "Checkout API", "pd_escalation_level": "1"}))
    assert found == {"pd_oncall_count": "1", "pd_oncall_emails": "linus@example.com", "pd_oncall_names": "Linus Ops",
                     "pd_oncall_user_ids": "PLINUS1"}
    every = stats(play(ansible, "oncall_get", {"pd_escalation_policies": "Checkout Escalation,Platform On-Call"}))
    assert every["pd_oncall_emails"] == "linus@example.com,margaret@example.com,grace@example.com"
    nobody = play(ansible, "oncall_get", {"pd_escalation_policies": "PEPPLT1", "pd_users": "PLINUS1",
                                          "pd_require_oncall": "true"}, expect_rc=2)
    assert "Nobody is on call for what was asked" in nobody.stdout
    assert stats(nobody)["pd_oncall_count"] == "0"
    # Grace covers for Linus tomorrow: over the next two days both are on call, now only Linus
    now = datetime.datetime.strptime(sim.clock(), "%Y-%m-%dT%H:%M:%SZ")

    def moment(hours):
        return (now + datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sim.rest("POST", "/schedules/PSCHCHK/overrides", {"overrides": [{"start": moment(24), "end": moment(30), "user": {
        "id": "PGRACE1", "type": "user_reference"}}]})
    inputs = {"pd_schedules": "Checkout Primary", "pd_since": moment(0), "pd_until": moment(48)}
    assert stats(play(ansible, "oncall_get", inputs))["pd_oncall_emails"] == "linus@example.com,grace@example.com"
    assert stats(play(ansible, "oncall_get", {"pd_schedules": "PSCHCHK"}))["pd_oncall_emails"] == "linus@example.com"


def test_schedule_override(ansible, sim):
    inputs = {"pd_schedule": "Checkout Primary", "pd_user": "grace@example.com", "pd_duration": "2h"}
    covered = stats(play(ansible, "schedule_override", inputs))
    assert covered["pd_changed"] is True and covered["pd_override_user_id"] == "PGRACE1"
    assert covered["pd_schedule_id"] == "PSCHCHK" and covered["pd_override_id"]
    assert stats(play(ansible, "schedule_override", inputs))["pd_changed"] is False
    assert stats(play(ansible, "oncall_get", {"pd_schedules": "PSCHCHK"}))["pd_oncall_emails"] == "grace@example.com"
    back = stats(play(ansible, "schedule_override", {
        "pd_schedule": "PSCHCHK", "pd_user": "PGRACE1", "pd_start": covered["pd_override_start"],
        "pd_end": covered["pd_override_end"], "pd_state": "absent"}))
    assert back["pd_changed"] is True
    assert stats(play(ansible, "oncall_get", {"pd_schedules": "PSCHCHK"}))["pd_oncall_emails"] == "linus@example.com"


DEPLOY = """import json, os, sys, urllib.request
# The deploy restarts the service, and its monitoring sends an alert meanwhile (the routing key from the environment).
event = {"routing_key": os.environ["DEPLOY_ROUTING_KEY"], "event_action": "trigger", "dedup_key": "deploy-restart",
         "payload": {"summary": "checkout-api restarting", "source": "web1", "severity": "critical"}}
request = urllib.request.Request(os.environ["DEPLOY_EVENTS_URL"] + "/v2/enqueue", data=json.dumps(event).encode(),
                                 headers={"Content-Type": "application/json"})
urllib.request.urlopen(request).read()
print("deployed")
"""


def deploy_inputs(ansible, health):
    """A deploy (tests/integration's DEPLOY script) whose health check is the command ``health``."""
    script = ansible.tmp_path / "deploy.py"
    script.write_text(DEPLOY)
    return {"pd_services": "Checkout API", "pd_description": "Deploy checkout-api 1.4.2",
            "pd_deploy_command": "%s %s" % (sys.executable, script), "pd_health_command": health}


def deploy_env(sim):
    return {"DEPLOY_ROUTING_KEY": ROUTING_KEY, "DEPLOY_EVENTS_URL": sim.url}


def windows_of(sim, state):
    return sim.rest("GET", "/maintenance_windows?filter=%s" % state)["maintenance_windows"]


def test_deploy_in_maintenance(ansible, sim):
    data = stats(play(ansible, "deploy_in_maintenance", deploy_inputs(ansible, "true"), env=deploy_env(sim)))
    assert data["pd_deployed"] is True and data["pd_window_id"] and data["pd_window_end"]
    assert windows_of(sim, "ongoing") == [] and [w["id"] for w in windows_of(sim, "past")] == [data["pd_window_id"]]
    assert sim.incidents() == [], "the restart's alert came inside the window"
    assert sim.events()["events"][0]["maintenance_window_id"] == data["pd_window_id"]


def test_deploy_in_maintenance_that_fails_its_health_check_fails_the_play_and_still_ends_the_window(ansible, sim):
    run = play(ansible, "deploy_in_maintenance", deploy_inputs(ansible, "false"), env=deploy_env(sim), expect_rc=2)
    assert "End the maintenance window, whatever happened" in run.stdout
    data = stats(run)
    assert data["pd_deployed"] is False and data["pd_window_end"]
    assert windows_of(sim, "ongoing") == [], "the window ended although the deploy failed"
    assert [w["id"] for w in windows_of(sim, "past")] == [data["pd_window_id"]]
    assert sim.incidents() == [], "no incident opened during the deploy"
    assert [e["maintenance_window_id"] for e in sim.events()["events"]] == [data["pd_window_id"]]
    assert ["%s %s" % (r["method"], r["path"].replace(data["pd_window_id"], "{id}")) for r in sim.writes()] == [
        "POST /maintenance_windows", "POST /v2/enqueue", "DELETE /maintenance_windows/{id}"]


def test_inputs_from_the_environment_as_rundeck_passes_job_options(ansible, sim):
    """Rundeck's Ansible plugin exports each non-secure job option as an environment variable of the option's name;
    an input not given as an extra var is read from there, exactly as typed."""
    incident = sim.create_incident()
    noted = stats(play(ansible, "incident_note", {}, env={"pd_incident_id": str(incident["incident_number"]),
                                                          "pd_note": AWKWARD}))
    assert noted["pd_note_added"] is True and noted["pd_incident_id"] == incident["id"]
    assert [n["content"] for n in sim.state("notes")[incident["id"]]] == [AWKWARD]
    resolved = stats(play(ansible, "incident_update", {}, env={"pd_incident_id": incident["id"],
                                                               "pd_status": "resolved", "pd_resolution": "no"}))
    assert resolved["pd_incident_status"] == "resolved"
    assert [e["note"] for e in sim.log_entries(incident["id"]) if e["type"] == "resolve_log_entry"] == ["no"]


def test_an_extra_var_wins_over_the_environment(ansible, sim):
    incident = sim.create_incident()
    stats(play(ansible, "incident_note", {"pd_incident_id": incident["id"], "pd_note": "From the extra var"},
               env={"pd_incident_id": "PNOTHERE", "pd_note": "From the environment"}))
    assert [n["content"] for n in sim.state("notes")[incident["id"]]] == ["From the extra var"]
    # Given but blank (an option left empty), the extra var still wins, and counts as not set.
    mark = sim.mark()
    run = play(ansible, "incident_note", {"pd_incident_id": incident["id"], "pd_note": ""},
               env={"pd_note": "From the environment"}, expect_rc=2)
    assert "incident_note needs" in run.stdout and sim.requests(since=mark) == []


def test_every_playbook_reads_each_of_its_inputs_from_the_environment():
    """Each pd_* input a playbook reads (but the connection and secrets, which have their PAGERDUTY_* fallbacks) is a
    play variable read from the environment variable of the same name, which an extra var overrides."""
    import yaml
    connection = {"pd_api_token", "pd_from_email", "pd_region", "pd_api_url", "pd_events_url", "pd_routing_key"}
    for name in sorted(os.listdir(PLAYBOOKS)):
        if not name.endswith(".yml") or name == "demo.yml":
            continue
        with open(os.path.join(PLAYBOOKS, name)) as handle:
            [play_] = yaml.safe_load(handle)
        tasks = yaml.safe_dump(play_["tasks"])
        read = set(re.findall(r"\b(pd_[a-z_]+) *\|", tasks)) | set(re.findall(r"\{\{ *(pd_[a-z_]+) *\}\}", tasks))
        read = set(v for v in read - connection if not v.startswith(("pd_result", "pd_publish", "pd_status_update")))
        from_environment = dict((var, value) for var, value in play_["vars"].items() if var.startswith("pd_"))
        assert from_environment == dict((var, "{{ lookup('ansible.builtin.env', '%s') }}" % var) for var in read), name


def test_the_token_as_an_extra_var(ansible, sim):
    """pd_api_token wins over the environment (here a wrong token), and is printed nowhere, even on failure."""
    incident = sim.create_incident()
    env = {"PAGERDUTY_API_TOKEN": "pdsim-wrong-token", "PAGERDUTY_FROM_EMAIL": ""}
    data = stats(play(ansible, "incident_note", {"pd_incident_id": incident["id"], "pd_note": "From Rundeck",
                                                 "pd_api_token": ADMIN_TOKEN, "pd_from_email": ADMIN_EMAIL},
                      env=env, verbose=3))
    assert data["pd_note_added"] is True
    failed = play(ansible, "incident_note", {"pd_incident_id": "PNOTHERE", "pd_note": "x", "pd_api_token": ADMIN_TOKEN,
                                             "pd_from_email": ADMIN_EMAIL}, env=env, expect_rc=2, verbose=3)
    assert "Incident PNOTHERE not found" in failed.stdout
    # The harness fails any run whose output holds the token; say it here too.
    assert ADMIN_TOKEN not in failed.output


@pytest.mark.parametrize("name, extra, words", [
    ("incident_note", {"pd_incident_id": "PT4KHLK", "pd_note": ""}, ["pd_incident_id", "pd_note"]),
    ("incident_update", {"pd_incident_id": "PT4KHLK"}, ["at least one of pd_status"]),
    ("incident_update", {"pd_incident_id": "PT4KHLK", "pd_status": "closed"}, ["triggered, acknowledged or resolved"]),
    ("incident_status", {"pd_incident_id": "PT4KHLK"}, ["pd_status"]),
    ("incident_status", {"pd_incident_id": "1", "pd_status": "resolved", "pd_status_subject": "s"},
     ["pd_status_subject and pd_status_html go together"]),
    ("incident_escalate", {"pd_incident_id": "PT4KHLK", "pd_escalation_level": "two"}, ["pd_escalation_level"]),
    ("incident_escalate", {"pd_incident_id": "PT4KHLK", "pd_escalation_level": 0}, ["1 or more"]),
    ("incident_escalation_policy", {"pd_incident_id": "PT4KHLK"}, ["pd_escalation_policy"]),
    ("incident_get", {"pd_incident_id": ""}, ["pd_incident_id"]),
    ("incident_responders", {"pd_incident_id": "PT4KHLK", "pd_users": ""}, ["pd_users", "pd_escalation_policies"]),
    ("incident_workflow", {"pd_incident_id": "PT4KHLK"}, ["pd_workflow", "response play"]),
    ("send_event", {"pd_summary": "x"}, ["pd_severity"]),
    ("send_event", {"pd_event_action": "resolve"}, ["pd_dedup_key"]),
    ("send_change_event", {"pd_summary": ""}, ["pd_summary"]),
    ("user_create", {"pd_user_email": "a@example.com"}, ["pd_user_name"]),
    ("user_update", {"pd_job_title": "SRE"}, ["pd_user_id or pd_user_email"]),
    ("user_update", {"pd_user_email": "a@example.com", "pd_new_email": "b@example.com"},
     ["pd_new_email needs pd_user_id"]),
    ("user_delete", {}, ["pd_user_id or pd_user_email"]),
    ("user_get", {"pd_user_email": ""}, ["pd_user_id or pd_user_email"]),
    ("incidents_bulk", {"pd_status": "resolved"}, ["pd_incident_ids, or at least one of the filters"]),
    ("incidents_bulk", {"pd_services": "Checkout API"}, ["at least one change"]),
    ("incidents_bulk", {"pd_incident_ids": "1", "pd_escalation_level": "0"}, ["pd_escalation_level: 1 or more"]),
    ("incidents_bulk", {"pd_incident_ids": "1", "pd_status": "closed"}, ["triggered, acknowledged or resolved"]),
    ("maintenance_window", {"pd_services": "", "pd_window_id": ""}, ["pd_window_id", "pd_services"]),
    ("maintenance_window", {"pd_services": "PSVCCHK", "pd_end": "2099-01-01T00:00:00Z", "pd_duration": "30m"},
     ["not both"]),
    ("maintenance_window", {"pd_services": "PSVCCHK", "pd_state": "ended"}, ["present or absent"]),
    ("oncall_get", {}, ["pd_escalation_policies", "pd_services", "pd_users"]),
    ("oncall_get", {"pd_services": "PSVCCHK", "pd_escalation_level": "first"}, ["pd_escalation_level is a number"]),
    ("schedule_override", {"pd_schedule": "PSCHCHK", "pd_user": "PGRACE1"}, ["pd_end or pd_duration"]),
    ("schedule_override", {"pd_user": "PGRACE1", "pd_duration": "2h"}, ["pd_schedule"]),
    ("deploy_in_maintenance", {"pd_services": "Checkout API"}, ["pd_deploy_tasks or pd_deploy_command"]),
])
def test_missing_or_bad_inputs_fail_clearly_before_anything_is_sent(ansible, sim, name, extra, words):
    mark = sim.mark()
    run = play(ansible, name, extra, expect_rc=2)
    assert "Check the inputs" in run.stdout
    message = json.loads(re.search(r"FAILED! => (\{.*\})", run.stdout).group(1))["msg"]
    assert message.startswith(name + " needs"), message
    for word in words:
        assert word in message, message
    assert sim.requests(since=mark) == []


def test_the_collection_playbooks_run_by_name(ansible, sim):
    """`ansible-playbook oncall.pagerduty.incident_get`, as the README and the Rundeck examples show it."""
    incident = sim.create_incident()
    vars_file = ansible.tmp_path / "by-name.json"
    vars_file.write_text(json.dumps({"pd_incident_id": incident["id"]}))
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "oncall.pagerduty.incident_get", "-i", "localhost,", "-c", "local",
               "-e", "@%s" % vars_file]
    env = ansible.env({"PAGERDUTY_API_TOKEN": ADMIN_TOKEN, "ANSIBLE_SHOW_CUSTOM_STATS": "true"})
    run = ansible._run(command, env, 0)
    assert stats(run)["pd_incident_id"] == incident["id"]


def test_eda_remediate_resolves_when_the_remediation_works_and_requests_responders_when_not(ansible, sim):
    """The playbook the rulebook oncall.pagerduty.remediate runs (tests/integration/test_eda.py runs it there)."""
    fixed, broken = sim.create_incident("Checkout slow"), sim.create_incident("Checkout down")
    done = stats(play(ansible, "eda_remediate", {"pd_incident_id": fixed["id"], "pd_remediation_command": "echo ok",
                                                 "pd_diagnostics_command": "echo all good"}))
    assert done == {"pd_incident_id": fixed["id"], "pd_remediated": True,
                    "pd_note_id": sim.state("notes")[fixed["id"]][0]["id"]}
    assert sim.incident(fixed["id"])["status"] == "resolved"
    assert "all good" in sim.state("notes")[fixed["id"]][0]["content"]
    failed = stats(play(ansible, "eda_remediate", {"pd_incident_id": str(broken["incident_number"]),
                                                   "pd_remediation_command": "exit 3",
                                                   "pd_responders": "grace@example.com"}))
    assert failed["pd_remediated"] is False
    assert sim.incident(broken["id"])["status"] == "triggered"
    [request] = sim.state("responder_requests")[broken["id"]]
    assert request["responder_request_targets"][0]["responder_request_target"]["id"] == "PGRACE1"
    assert sim.state("notes")[broken["id"]][0]["content"].startswith(
        "Event-Driven Ansible: remediation FAILED (exit code 3)")


def test_every_playbook_is_tested():
    """Each playbook of playbooks/ (but the demo) is run by a test of this file that reads its outputs."""
    playbooks = set(name[:-4] for name in os.listdir(PLAYBOOKS) if name.endswith(".yml")) - {"demo"}
    assert len(playbooks) == 21, sorted(playbooks)
    with open(__file__) as handle:
        source = handle.read()
    untested = [name for name in sorted(playbooks) if 'stats(play(ansible, "%s"' % name not in source]
    assert untested == []
