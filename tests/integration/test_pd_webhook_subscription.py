"""pd_webhook_subscription against the simulator."""

import os
import stat


def subscriptions(sim):
    return sim.rest("GET", "/webhook_subscriptions")["webhook_subscriptions"]


def writes(sim, since=0):
    return [(r["method"], r["path"]) for r in sim.writes(since=since)]


def test_lifecycle_playbook(ansible, sim, tmp_path):
    run = ansible.playbook("pd_webhook_subscription/lifecycle.yml", {"secret_dir": str(tmp_path)}, verbose=3)
    secret_file = tmp_path / "checkout.secret"
    assert stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600
    secret = secret_file.read_text().strip()
    assert secret.startswith("pdsim-whsec-") and secret not in run.output
    assert subscriptions(sim) == []
    assert [method for method, unused in writes(sim)] == ["POST", "PUT", "DELETE"], "check mode must not write"


def test_adhoc_create_unchanged_check_and_diff(ansible, sim):
    args = "url=https://hooks.example.com/pd filter_type=team filter=Platform events=incident.triggered"
    checked = ansible.adhoc("oncall.pagerduty.pd_webhook_subscription", args, rest=True, check=True,
                            diff=True).result()
    assert checked["changed"] is True and subscriptions(sim) == []
    assert sim.writes() == []
    first = ansible.adhoc("oncall.pagerduty.pd_webhook_subscription", args, rest=True).result()
    second = ansible.adhoc("oncall.pagerduty.pd_webhook_subscription", args, rest=True).result()
    assert first["changed"] is True and second["changed"] is False
    assert "secret" not in first and "secret" not in first["webhook_subscription"]["delivery_method"]
    [created] = subscriptions(sim)
    assert created["filter"] == {"type": "team_reference", "id": "PTPLATF"}
    # the same URL for the whole account is another subscription
    third = ansible.adhoc("oncall.pagerduty.pd_webhook_subscription",
                          "url=https://hooks.example.com/pd events=incident.triggered", rest=True).result()
    assert third["changed"] is True and len(subscriptions(sim)) == 2


def warnings_of(run):
    """The [WARNING] lines of an ad hoc run, each on one line (Ansible wraps long ones)."""
    text = " ".join(run.stderr.split())
    return [warning.strip() for warning in text.split("[WARNING]:")[1:]]


def test_return_secret_on_a_subscription_that_exists_returns_none_and_warns(ansible, sim, tmp_path):
    """PagerDuty shows the secret only in its answer to the creation: asked for later, there is none to return, and
    the module says so (as it does for a secret_file it cannot write)."""
    args = "url=https://hooks.example.com/pd events=incident.triggered"
    created = ansible.adhoc("oncall.pagerduty.pd_webhook_subscription", args + " secret_file=%s" % (tmp_path / "s"),
                            rest=True)
    assert created.result()["changed"] is True and warnings_of(created) == []
    again = ansible.adhoc("oncall.pagerduty.pd_webhook_subscription", args + " return_secret=true", rest=True)
    assert again.result()["changed"] is False and "secret" not in again.result()
    assert warnings_of(again) == [
        "return_secret: no secret is returned: the webhook subscription %s exists, and PagerDuty shows its secret only "
        "when it is created (delete it, state=absent, and create it again for a new secret)"
        % created.result()["webhook_subscription"]["id"]]
    # with the secret file that exists (written at the creation), the same warning only
    both = ansible.adhoc("oncall.pagerduty.pd_webhook_subscription",
                         args + " secret_file=%s return_secret=true" % (tmp_path / "s"), rest=True)
    assert warnings_of(both) == warnings_of(again)


def test_custom_headers_cannot_change_and_the_module_says_so(ansible, sim):
    args = "url=https://hooks.example.com/pd events=incident.triggered"
    ansible.adhoc("oncall.pagerduty.pd_webhook_subscription", args, rest=True)
    mark = sim.mark()
    result = ansible.adhoc("oncall.pagerduty.pd_webhook_subscription",
                           args + " custom_headers='{\"X-Token\": \"pdsim-webhook-custom-header-value\"}'", rest=True,
                           expect_rc=2).result()
    assert "PagerDuty cannot change them; delete it (state=absent) and create it again" in result["msg"]
    assert sim.writes(since=mark) == []


def test_a_lost_creation_answer_is_confirmed_not_resent_and_says_the_secret_is_lost(ansible, sim):
    sim.fault(method="POST", path="^/webhook_subscriptions$", drop="reset", after=True, count=1)
    result = ansible.adhoc("oncall.pagerduty.pd_webhook_subscription",
                           "url=https://hooks.example.com/pd events=incident.triggered", rest=True,
                           expect_rc=2).result()
    assert result["changed"] is True
    assert "was created, but PagerDuty's answer with its signing secret was lost" in result["msg"]
    assert len(subscriptions(sim)) == 1
    assert [m for m, p in writes(sim) if p == "/webhook_subscriptions"] == ["POST"]


def test_pagerduty_errors_and_unknown_filters(ansible, sim):
    unknown = ansible.adhoc("oncall.pagerduty.pd_webhook_subscription",
                            "url=https://hooks.example.com/pd filter_type=service filter=Nope "
                            "events=incident.triggered", rest=True, expect_rc=2).result()
    assert unknown["msg"].startswith("filter: no service is named 'Nope'")
    refused = ansible.adhoc("oncall.pagerduty.pd_webhook_subscription",
                            "url=https://hooks.example.com/pd events=incident.exploded", rest=True,
                            expect_rc=2).result()
    assert refused["msg"].startswith("PagerDuty REST API error 400 (code 2001) on POST /webhook_subscriptions")
    assert "unknown event type(s) incident.exploded" in refused["msg"]


def test_the_subscription_delivers_signed_webhooks(ansible, sim, tmp_path):
    """What the module creates is what PagerDuty would deliver by: a triggered incident makes a signed webhook."""
    ansible.adhoc("oncall.pagerduty.pd_webhook_subscription",
                  "url=http://127.0.0.1:9/hook filter_type=service filter=PSVCCHK events=incident.triggered "
                  "secret_file=%s" % (tmp_path / "s"), rest=True)
    sim.call("POST", "/_sim/config", {"webhook_retry_delays": []})
    incident = sim.create_incident()
    [webhook] = sim.webhooks()
    assert webhook["event_type"] == "incident.triggered" and webhook["incident_id"] == incident["id"]
    assert webhook["status"] == "dropped" and len(webhook["attempts"]) == 1     # nothing listens on port 9
