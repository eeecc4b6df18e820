"""Bad input across the modules: each is refused with its expected one-line error, before any request is sent."""

import pytest

from pd_harness import ROUTING_KEY

TOO_LONG = "x" * 1025

TABLE = [
    # pd_event
    ("pd_event", "summary=s source=h severity=fatal",
     "value of severity must be one of: critical, error, warning, info, got: fatal"),
    ("pd_event", "source=h severity=info", "event_action is trigger but all of the following are missing: summary"),
    ("pd_event", "summary=s source=h", "event_action is trigger but all of the following are missing: severity"),
    ("pd_event", "event_action=resolve", "event_action is resolve but all of the following are missing: dedup_key"),
    ("pd_event", "event_action=acknowledge",
     "event_action is acknowledge but all of the following are missing: dedup_key"),
    ("pd_event", "event_action=escalate dedup_key=k",
     "value of event_action must be one of: trigger, acknowledge, resolve, got: escalate"),
    ("pd_event", "summary=s severity=info images=http://insecure.example.com/a.png",
     "images[0].src must be an https:// URL"),
    ("pd_event", "summary=s severity=info links=ftp://example.com/x", "links[0].href must be an http(s):// URL"),
    ("pd_event", "summary=s severity=info routing_key=short",
     "routing_key must be the 32-character integration key of an Events API v2 integration (the one given has 5"),
    ("pd_event", "summary=s severity=info timestamp=yesterday", "timestamp must be an ISO 8601 date and time"),
    ("pd_event", "summary=%s severity=info" % TOO_LONG, "summary is 1025 characters; PagerDuty allows at most 1024"),
    ("pd_event", "summary=s severity=info dedup_key=%s" % ("k" * 256), "dedup_key is 256 characters"),
    ("pd_event", "summary=s severity=info client_url=nowhere", "client_url must be an http(s):// URL"),
    ("pd_event", "summary=s severity=info custom_details=text", "argument 'custom_details' is of type"),
    ("pd_event", "summary=s severity=info region=apac", "value of region must be one of: eu, us, got: apac"),
    ("pd_event", "summary=s severity=info timeout=-1", "timeout must be 0 or more, got -1.0"),
    # pd_change_event
    ("pd_change_event", "source=ci", "missing required arguments: summary"),
    ("pd_change_event", "summary=deploy links=ftp://example.com/x", "links[0].href must be an http(s):// URL"),
    ("pd_change_event", "summary=deploy timestamp=soon", "timestamp must be an ISO 8601 date and time"),
    ("pd_change_event", "summary=%s" % TOO_LONG, "summary is 1025 characters; PagerDuty allows at most 1024"),
    # pd_incident
    ("pd_incident", "incident_id=PX status=acknowledged resolution=done",
     "resolution is only allowed with status=resolved"),
    ("pd_incident", "incident_id=PX assignees=PGRACE1 escalation_policy=PEPPLT1",
     "parameters are mutually exclusive: assignees|escalation_policy"),
    ("pd_incident", "incident_id=PX assignees=PGRACE1 escalation_level=2",
     "parameters are mutually exclusive: assignees|escalation_level"),
    ("pd_incident", "incident_id=PX escalation_level=2 status=resolved",
     "escalation_level cannot be combined with status=resolved"),
    ("pd_incident", "incident_id=PX status=resolved assignees=PGRACE1",
     "assignees cannot be combined with status=resolved"),
    ("pd_incident", "incident_id=PX status=resolved escalation_policy=PEPPLT1",
     "escalation_policy cannot be combined with status=resolved"),
    ("pd_incident", "incident_id=PX escalation_level=0", "escalation_level must be 1 or more, got 0"),
    ("pd_incident", "incident_id=PX force=true", "force only applies to escalation_level"),
    ("pd_incident", "incident_id=PX body=details", "body only apply when creating an incident"),
    ("pd_incident", "title=Nope", "without incident_id the module creates an incident and needs service and title"),
    ("pd_incident", "incident_id=PX status=closed",
     "value of status must be one of: triggered, acknowledged, resolved, got: closed"),
    ("pd_incident", "incident_id=PX urgency=urgent", "value of urgency must be one of: high, low, got: urgent"),
    ("pd_incident", "incident_id=PX escalation_level=two", "argument 'escalation_level' is of type"),
    ("pd_incident", "incident_id=PX merge_into=PY status=resolved",
     "merge_into cannot be combined with status (merging resolves the source incidents)"),
    ("pd_incident", "merge_into=PY", "merge_into needs incident_id or source_incidents"),
    ("pd_incident", "incident_id=PX source_incidents=PY", "source_incidents only apply with merge_into"),
    ("pd_incident", "incident_id=PX snooze=8d",
     "snooze must be a duration from 1 second to 7 days (604800 seconds), such as 3600, 90m or 4h, got '8d'"),
    ("pd_incident", "incident_id=PX snooze=1h status=resolved",
     "snooze cannot be combined with status=resolved: PagerDuty snoozes only acknowledged incidents"),
    # pd_incidents
    ("pd_incidents", "status=resolved", "give incident_ids or at least one filter (services, teams, statuses"),
    ("pd_incidents", "services=PSVCCHK", "give at least one change to make: status, escalation_level, assignees"),
    ("pd_incidents", "incident_ids=PX status=acknowledged resolution=done",
     "resolution is only allowed with status=resolved"),
    ("pd_incidents", "statuses=triggered status=resolved escalation_level=2",
     "escalation_level cannot be combined with status=resolved"),
    ("pd_incidents", "incident_ids=PX assignees=PGRACE1 escalation_level=2",
     "parameters are mutually exclusive: assignees|escalation_level"),
    ("pd_incidents", "incident_ids=PX escalation_level=0", "escalation_level must be 1 or more, got 0"),
    ("pd_incidents", "statuses=open status=resolved",
     "value of statuses must be one or more of: triggered, acknowledged, resolved. Got no match for: open"),
    # pd_incident_note
    ("pd_incident_note", "incident_id=PX note=' '", "note must not be empty"),
    ("pd_incident_note", "incident_id=PX note=%s" % ("x" * 25001),
     "note is 25001 characters; PagerDuty accepts at most 25000"),
    ("pd_incident_note", "note=hello", "missing required arguments: incident_id"),
    # pd_incident_responder
    ("pd_incident_responder", "incident_id=PX", "give users or escalation_policies (or both) to request"),
    ("pd_incident_responder", "users=PGRACE1", "missing required arguments: incident_id"),
    # pd_incident_workflow
    ("pd_incident_workflow", "incident_id=PX", "missing required arguments: workflow"),
    # pd_incident_status_update
    ("pd_incident_status_update", "incident_id=PX msg=hi subject=only",
     "parameters are required together: subject, html_message"),
    ("pd_incident_status_update", "incident_id=PX msg=' '", "msg must not be empty"),
    # pd_incident_info
    ("pd_incident_info", "incident_id=PX statuses=triggered",
     "statuses filter a listing and cannot be combined with incident_id"),
    ("pd_incident_info", "notes=true", "notes needs incident_id"),
    ("pd_incident_info", "statuses=open",
     "value of statuses must be one or more of: triggered, acknowledged, resolved. Got no match for: open"),
    ("pd_incident_info", "fields=status,,title", "fields must name attributes (such as email or status)"),
    # pd_user
    ("pd_user", "email=a@example.com role=boss", "role must be one of admin, limited_user"),
    ("pd_user", "email=not-an-email name=X", "email must be an email address of 6 to 100 characters"),
    ("pd_user", "user_id=jane@example.com", "user_id must be a PagerDuty user ID such as PXPGF42"),
    ("pd_user", "email=a@example.com name=' '", "name must not be blank"),
    ("pd_user", "email=a@example.com name=%s" % ("n" * 101), "name must be at most 100 characters, got 101"),
    ("pd_user", "name=Nobody", "one of the following is required: user_id, email"),
    ("pd_user", "email=a@example.com teams_mode=replace", "value of teams_mode must be one of: merge, exact"),
    # pd_user_info
    ("pd_user_info", "email=nobody", "email must be an email address such as jane@example.com"),
    ("pd_user_info", "user_id=PX email=a@example.com", "parameters are mutually exclusive: user_id|email|query"),
    ("pd_user_info", "include=secrets", "value of include must be one or more of"),
    ("pd_user_info", "fields=' '", "fields must name attributes (such as email or status), got a blank name"),
    # pd_webhook_subscription
    ("pd_webhook_subscription", "url=hooks.example.com events=incident.triggered",
     "url must be an http:// or https:// URL"),
    ("pd_webhook_subscription", "url=https://h.example.com filter_type=service events=incident.triggered",
     "filter is required when filter_type is service"),
    ("pd_webhook_subscription", "url=https://h.example.com filter=PSVCCHK events=incident.triggered",
     "filter must not be given when filter_type is account"),
    ("pd_webhook_subscription", "url=https://h.example.com events=triggered",
     "events must be event types such as incident.triggered; got 'triggered'"),
    ("pd_webhook_subscription", "url=https://h.example.com events=incident.triggered secret_file=/nowhere/s",
     "secret_file: the directory of /nowhere/s does not exist"),
    # pd_maintenance_window
    ("pd_maintenance_window", "services=PSVCCHK duration=2x", "duration must be at least a minute, as 30m, 2h"),
    ("pd_maintenance_window", "services=PSVCCHK duration=90s", "duration must be at least a minute"),
    ("pd_maintenance_window", "services=PSVCCHK end=2020-01-01T00:00:00Z", "end must be after the start"),
    ("pd_maintenance_window", "services=PSVCCHK end=2099-01-01T00:00:00 ",
     "end must be now or an ISO 8601 date and time with its offset"),
    ("pd_maintenance_window", "services=PSVCCHK start=tonight duration=30m",
     "start must be now or an ISO 8601 date and time with its offset"),
    ("pd_maintenance_window", "duration=30m", "services (or teams) are required to find or create a window without id"),
    ("pd_maintenance_window", "services=PSVCCHK end=2099-01-01T00:00:00Z duration=30m",
     "parameters are mutually exclusive: end|duration"),
    ("pd_maintenance_window", "state=ended services=PSVCCHK", "value of state must be one of: present, absent"),
    # pd_maintenance_window_info
    ("pd_maintenance_window_info", "filter=soon",
     "value of filter must be one of: ongoing, future, past, open, all, got: soon"),
    ("pd_maintenance_window_info", "id=PW98YIO query=deploy", "parameters are mutually exclusive: id|query"),
    ("pd_maintenance_window_info", "id=PW98YIO filter=ongoing", "parameters are mutually exclusive: id|filter"),
    ("pd_maintenance_window_info", "fields=description,,", "fields must name attributes (such as email or status)"),
    # pd_oncall_info
    ("pd_oncall_info", "users=PLINUS1 fields=' '", "fields must name attributes (such as email or status)"),
    ("pd_oncall_info", "escalation_level=0", "escalation_level must be 1 or more, got 0"),
    ("pd_oncall_info", "at=tomorrow", "at must be now or an ISO 8601 date and time with its offset"),
    ("pd_oncall_info", "since=2026-11-24T00:00:00Z", "since and until go together"),
    ("pd_oncall_info", "at=now since=2026-11-24T00:00:00Z", "parameters are mutually exclusive: at|since"),
    ("pd_oncall_info", "users=PLINUS1 at=2099-01-01T00:00:00Z", "at: PagerDuty computes on-calls at most 90 days ahead"),
    ("pd_oncall_info", "since=2026-11-25T00:00:00Z until=2026-11-24T00:00:00Z", "until must not be before since"),
    # pd_schedule_override
    ("pd_schedule_override", "schedule=PSCHCHK user=PGRACE1", "end or duration is required"),
    ("pd_schedule_override", "schedule=PSCHCHK", "give user (with start and end or duration), or overrides"),
    ("pd_schedule_override", "user=PGRACE1 duration=1h", "missing required arguments: schedule"),
    ("pd_schedule_override", "schedule=PSCHCHK user=PGRACE1 start=2020-01-01T00:00:00Z end=2020-01-02T00:00:00Z",
     "end must be in the future"),
    ("pd_schedule_override", "schedule=PSCHCHK user=PGRACE1 end=2099-01-01T00:00:00Z duration=1h",
     "parameters are mutually exclusive: end|duration"),
]


@pytest.mark.parametrize("module, args, message", TABLE, ids=["%s %s" % (m, a[:40]) for m, a, unused in TABLE])
def test_bad_input_is_refused_before_sending(ansible, sim, module, args, message):
    run = ansible.adhoc("oncall.pagerduty." + module, args, rest=True, env={"PAGERDUTY_ROUTING_KEY": ROUTING_KEY},
                        expect_rc=2)
    result = run.result()
    assert result.get("failed") is True
    assert message in result["msg"], result["msg"]
    assert "\n" not in result["msg"]
    assert "Traceback" not in run.output
    assert sim.requests() == [], "bad input must be refused before anything is sent"


def test_the_table_is_large_enough():
    assert len(TABLE) >= 40
    assert len(set(m for m, unused, unused2 in TABLE)) == 16, "every module has bad-input rows"
