"""pd_event against the simulator: playbooks, module_defaults, ad hoc, validation, retries."""

import socket

from pd_harness import PLATFORM_KEY, ROUTING_KEY


def enqueued(sim):
    return [r for r in sim.requests("events") if r["path"] == "/v2/enqueue"]


def test_lifecycle(ansible, sim):
    ansible.playbook("pd_event/lifecycle.yml")
    sent = enqueued(sim)
    # check mode sent nothing; the repeated acknowledge was not sent, the repeated resolve was
    assert [r["body"]["event_action"] for r in sent] == ["trigger", "acknowledge", "resolve", "resolve"]
    assert all(r["status"] == 202 for r in sent)
    assert all("routing_key" not in r["body"] for r in sent)
    # the acknowledges read the open incidents with the key, the second one also the incident's alerts
    reads = [(r["method"], r["path"]) for r in sim.requests("rest")]
    incident, = sim.incidents(incident_key="disk-db1")
    assert reads == [("GET", "/incidents"), ("GET", "/incidents"), ("GET", "/incidents/%s/alerts" % incident["id"])]
    assert incident["status"] == "resolved"


def send(sim, routing_key, action, dedup_key):
    """An event straight to the simulator's Events API, as another tool would send it."""
    body = {"routing_key": routing_key, "event_action": action, "dedup_key": dedup_key}
    if action == "trigger":
        body["payload"] = {"summary": "Disk full", "source": "db1", "severity": "critical"}
    status, answer = sim.call("POST", "/v2/enqueue", body)
    assert status == 202, answer


def test_acknowledge_is_sent_when_another_service_acknowledged_the_same_key(ansible, sim):
    send(sim, ROUTING_KEY, "trigger", "shared-key")
    send(sim, PLATFORM_KEY, "trigger", "shared-key")
    send(sim, PLATFORM_KEY, "acknowledge", "shared-key")
    mark = sim.mark()
    result = ansible.adhoc("oncall.pagerduty.pd_event", "event_action=acknowledge dedup_key=shared-key",
                           env={"PAGERDUTY_ROUTING_KEY": ROUTING_KEY}, rest=True).result()
    assert result["changed"] is True and result["status"] == "success"
    assert [r["body"]["event_action"] for r in enqueued(sim)[3:]] == ["acknowledge"]
    lookup, = sim.requests("rest", since=mark)
    assert lookup["query"]["statuses[]"] == ["triggered", "acknowledged"]
    by_service = dict((i["service"]["id"], i["status"]) for i in sim.incidents(incident_key="shared-key"))
    assert by_service == {"PSVCCHK": "acknowledged", "PSVCPLT": "acknowledged"}


def test_resolve_is_sent_when_older_incidents_with_the_key_fill_a_page(ansible, sim):
    for unused in range(101):
        older = sim.create_incident(incident_key="flapping")
        sim.resolve_incident(older["id"])
    send(sim, ROUTING_KEY, "trigger", "flapping")
    result = ansible.adhoc("oncall.pagerduty.pd_event", "event_action=resolve dedup_key=flapping",
                           env={"PAGERDUTY_ROUTING_KEY": ROUTING_KEY}, rest=True).result()
    assert result["changed"] is True and result["status"] == "success"
    assert enqueued(sim)[-1]["body"]["event_action"] == "resolve"
    open_ones = sim.incidents(incident_key="flapping", **{"statuses[]": "triggered"})
    assert open_ones == []


def test_acknowledge_is_sent_when_the_acknowledged_incident_does_not_hold_the_alert(ansible, sim):
    # an incident opened through the REST API with the key holds no alert: its state proves nothing about the alert
    incident = sim.create_incident(incident_key="by-hand")
    sim.rest("PUT", "/incidents/%s" % incident["id"], {"incident": {"type": "incident", "status": "acknowledged"}})
    result = ansible.adhoc("oncall.pagerduty.pd_event", "event_action=acknowledge dedup_key=by-hand",
                           env={"PAGERDUTY_ROUTING_KEY": ROUTING_KEY}, rest=True).result()
    assert result["changed"] is True and result["incident"]["id"] == incident["id"]
    assert [r["body"]["event_action"] for r in enqueued(sim)] == ["acknowledge"]


def test_module_defaults_group(ansible, sim):
    ansible.playbook("pd_event/module_defaults.yml", connection=False)
    sent = enqueued(sim)
    assert len(sent) == 1 and sent[0]["body"]["payload"]["severity"] == "warning"
    assert sent[0]["user_agent"].startswith("oncall.pagerduty/")


def test_adhoc(ansible, sim):
    run = ansible.adhoc("oncall.pagerduty.pd_event",
                        "summary='CPU at 99%' severity=warning source=web1 dedup_key=cpu-web1 "
                        "custom_details='{\"load\": 9.5}' images=https://a.example.com/1.png,https://a.example.com/2.png",
                        env={"PAGERDUTY_ROUTING_KEY": ROUTING_KEY})
    result = run.result()
    assert result["changed"] is True and result["dedup_key"] == "cpu-web1"
    assert result["event"]["payload"]["custom_details"] == {"load": 9.5}
    assert len(result["event"]["images"]) == 2
    assert sim.incidents(incident_key="cpu-web1")[0]["title"] == "CPU at 99%"


def test_adhoc_check_mode_sends_nothing(ansible, sim):
    run = ansible.adhoc("oncall.pagerduty.pd_event", "event_action=resolve dedup_key=x",
                        env={"PAGERDUTY_ROUTING_KEY": ROUTING_KEY}, check=True)
    assert run.result()["changed"] is True
    assert sim.requests() == []


def test_check_mode_acknowledge_reads_but_sends_nothing(ansible, sim):
    send(sim, ROUTING_KEY, "trigger", "check-ack")
    mark = sim.mark()
    result = ansible.adhoc("oncall.pagerduty.pd_event", "event_action=acknowledge dedup_key=check-ack",
                           env={"PAGERDUTY_ROUTING_KEY": ROUTING_KEY}, rest=True, check=True).result()
    assert result["changed"] is True and result["status"] == "skipped"
    assert [r["method"] for r in sim.requests(since=mark)] == ["GET"]
    assert sim.incidents(incident_key="check-ack")[0]["status"] == "triggered"


def test_missing_routing_key(ansible, sim):
    result = ansible.adhoc("oncall.pagerduty.pd_event", "summary=s severity=info", expect_rc=2).result()
    assert result["msg"] == "missing required option(s): routing_key (or PAGERDUTY_ROUTING_KEY)"


def test_unknown_routing_key_shows_pagerdutys_error(ansible, sim):
    result = ansible.adhoc("oncall.pagerduty.pd_event", "summary=s severity=info source=h",
                           env={"PAGERDUTY_ROUTING_KEY": "x" * 32}, expect_rc=2).result()
    assert result["msg"] == ("PagerDuty Events API error 400 on POST /v2/enqueue: invalid event: Event object is "
                             "invalid: Invalid routing key")


def test_retries_429_and_503_then_delivers_once(ansible, sim):
    sim.fault(path="^/v2/enqueue$", status=429, headers={"ratelimit-reset": "1"}, count=1)
    sim.fault(path="^/v2/enqueue$", status=503, count=1)
    ansible.playbook("pd_event/trigger_once.yml", {"dedup_key": "retry-1"})
    statuses = [r["status"] for r in enqueued(sim)]
    assert statuses == [429, 503, 202]
    assert len(sim.events()["events"]) == 1
    assert len(sim.incidents(incident_key="retry-1")) == 1


def test_lost_answer_is_resent_without_a_second_alert(ansible, sim):
    # PagerDuty takes the event but the answer is lost; the resend carries the same dedup key
    sim.fault(path="^/v2/enqueue$", drop="reset", after=True, count=1)
    run = ansible.playbook("pd_event/trigger_once.yml")
    sent = enqueued(sim)
    assert len(sent) == 2 and sent[0]["dropped"] == "reset" and sent[1]["status"] == 202
    assert sent[0]["body"]["dedup_key"] == sent[1]["body"]["dedup_key"]
    assert "dedup_key=%s" % sent[0]["body"]["dedup_key"] in run.stdout
    assert len(sim.incidents(incident_key=sent[0]["body"]["dedup_key"])) == 1


def test_bounded_wait_then_clear_failure(ansible, sim):
    sim.fault(path="^/v2/enqueue$", status=503, count=None)
    run = ansible.playbook("pd_event/trigger_once.yml", {"max_retry_wait": 2}, expect_rc=2)
    assert "Gave up on POST /v2/enqueue after" in run.stdout
    assert "PagerDuty Events API error 503" in run.stdout


def test_eu_region_uses_the_eu_events_host(ansible, sim):
    # Nothing leaves the machine: HTTPS goes through a "proxy" on a local port that is bound but not listening, so
    # the connection is refused before anything is sent (and the simulator's routing key is no real key anyway).
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        proxy = "http://127.0.0.1:%d" % closed.getsockname()[1]
        env = {"PAGERDUTY_ROUTING_KEY": ROUTING_KEY, "PAGERDUTY_EVENTS_URL": "", "PAGERDUTY_MAX_RETRY_WAIT": "0",
               "HTTPS_PROXY": proxy, "https_proxy": proxy, "NO_PROXY": "", "no_proxy": ""}
        result = ansible.adhoc("oncall.pagerduty.pd_event", "summary=s severity=info source=h region=eu",
                               env=env, expect_rc=2).result()
    # the EU host was chosen, and the connection that failed was the one to the local proxy
    assert "POST https://events.eu.pagerduty.com/v2/enqueue failed: ProxyError('Unable to connect to proxy'" \
        in result["msg"]
    assert "port=%s)" % proxy.rsplit(":", 1)[1] in result["msg"]
    assert sim.requests() == []


def test_secrets_stay_hidden_at_high_verbosity(ansible, sim):
    # the runner fails the test if the token or the routing key appears anywhere in the output
    run = ansible.playbook("pd_event/trigger_once.yml", verbose=4)
    assert "AnsiballZ_pd_event.py" in run.stdout, "the run was not at -vvvv"


def test_missing_requests_library_is_a_clean_failure(ansible, sim, tmp_path):
    import subprocess
    import sys
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    run = ansible.adhoc("oncall.pagerduty.pd_event", "summary=s severity=info source=h",
                        env={"PAGERDUTY_ROUTING_KEY": ROUTING_KEY, "ANSIBLE_PYTHON_INTERPRETER": str(bare / "bin" / "python")},
                        expect_rc=2)
    result = run.result()
    assert "Failed to import the required Python library (requests)" in result["msg"]
    assert sim.requests() == []
