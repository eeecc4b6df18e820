"""The remediation loop end to end, with the real ansible-rulebook: an alert event opens an incident, the simulator
sends a signed webhook to the oncall.pagerduty.webhook source, the rulebook oncall.pagerduty.remediate runs the
playbook oncall.pagerduty.eda_remediate, which puts a note on the incident and resolves it (or escalates it when the
remediation fails). Forged, unsigned and replayed deliveries run nothing.

One ansible-rulebook process serves every check of the loop (its start, with the JVM, is most of the time).
"""

import json
import time

from eda_harness import Rulebook, free_port, post
from pd_harness import ROUTING_KEY, leaked_secrets


def sign(secret, body):
    import hashlib
    import hmac
    return "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def wait_until(what, check, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out waiting for %s" % what)


def alert(sim, summary, dedup_key):
    status, body = sim.call("POST", "/v2/enqueue", {
        "routing_key": ROUTING_KEY, "event_action": "trigger", "dedup_key": dedup_key,
        "payload": {"summary": summary, "source": "web1", "severity": "critical"}})
    assert status == 202, body
    [incident] = [i for i in sim.incidents() if i["incident_key"] == dedup_key]
    return incident


def made_up_delivery(incident_id="PFAKE01"):
    return json.dumps({"event": {"id": "forged-1", "event_type": "incident.triggered", "resource_type": "incident",
                                 "data": {"id": incident_id, "type": "incident", "title": "forged",
                                          "service": {"id": "PSVCCHK", "summary": "Checkout API"}}}}).encode()


def test_alert_to_incident_to_webhook_to_rulebook_to_playbook_resolves_or_escalates(ansible, sim, tmp_path):
    url = "http://127.0.0.1:%d/pagerduty" % free_port()
    secret_file = tmp_path / "checkout.secret"
    ansible.adhoc("oncall.pagerduty.pd_webhook_subscription",
                  "url=%s filter_type=service filter='Checkout API' events=incident.triggered,incident.resolved "
                  "secret_file=%s" % (url, secret_file), rest=True)
    secret = secret_file.read_text().strip()
    broken = tmp_path / "checkout-api.broken"
    rulebook = Rulebook("oncall.pagerduty.remediate", sim.url, {
        "webhook_port": int(url.split(":")[2].split("/")[0]), "remediate_service": "Checkout API",
        "remediation_command": "test ! -e %s && echo checkout-api restarted and healthy" % broken,
        "diagnostics_command": "echo 'diagnostics: load 0.01, disk 42%'"}, secret, str(tmp_path))
    try:
        rulebook.wait_listening()
        fake = made_up_delivery()
        assert post(url, fake, {"X-PagerDuty-Signature": sign("not-the-secret", fake)})[0] == 401
        assert post(url, fake, {})[0] == 401

        # remediated: the note, then resolved
        incident = alert(sim, "Checkout API answers 500", "checkout-500")
        resolved = wait_until("the incident to be resolved", lambda: sim.incident(incident["id"])["status"] == "resolved")
        assert resolved
        [note] = sim.state("notes")[incident["id"]]
        assert note["content"].startswith("Event-Driven Ansible: remediated\n")
        assert "checkout-api restarted and healthy" in note["content"] and "diagnostics: load 0.01" in note["content"]
        webhooks = sim.webhooks()
        triggered = [w for w in webhooks if w["incident_id"] == incident["id"] and w["event_type"] == "incident.triggered"]
        assert [(w["status"], [a["outcome"] for a in w["attempts"]]) for w in triggered] == [("delivered", [202])]
        # the resolution's webhook reaches the source too, which ignores it (event_types: incident.triggered)
        assert [w["attempts"][-1]["outcome"] for w in webhooks if w["event_type"] == "incident.resolved"] == [200]

        # replayed: the same bytes with the same signature are answered, and run nothing
        body = json.dumps(triggered[0]["payload"], separators=(",", ":")).encode()
        assert post(url, body, {"X-PagerDuty-Signature": sign(secret, body)}) == (
            200, {"status": "duplicate", "id": triggered[0]["event_id"]})

        # not remediated: the note, then escalated to level 2 (Margaret), still open
        broken.write_text("the restart does not help")
        mark = sim.mark()
        second = alert(sim, "Checkout API disk full", "checkout-disk")
        wait_until("the note on the second incident", lambda: sim.state("notes").get(second["id"]))
        escalated = wait_until("the escalation", lambda: [a["assignee"]["id"] for a in sim.incident(
            second["id"])["assignments"]] == ["PMARGRT"] and sim.incident(second["id"]))
        assert escalated["status"] == "triggered"
        [failed] = sim.state("notes")[second["id"]]
        assert failed["content"].startswith("Event-Driven Ansible: remediation FAILED (exit code 1)")
        wait_until("the playbook's end", lambda: rulebook.output.count("PLAY RECAP") >= 2, timeout=60)
    finally:
        rulebook.stop()
    output = rulebook.output
    # the forged, unsigned and replayed deliveries ran no playbook: two incidents, two runs
    assert output.count("PLAY RECAP") == 2, output[-3000:]
    touched = set(r["path"] for r in sim.requests(since=mark) if r["path"].startswith("/incidents/"))
    assert touched and all(second["id"] in path for path in touched), touched
    assert not leaked_secrets(output)
