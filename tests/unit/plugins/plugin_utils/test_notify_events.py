"""Unit tests of the notify callback's events: what each trigger says, the fields of the templates, the resolves."""

from notify_fakes import CONTROLLER, KEY, TIMESTAMP, config, events, parts, run

from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_run import RunOutcome

RUNDECK = {"job_name": "Deploy", "job_group": "ops", "project": "shop", "job_id": "a1", "execution_id": "42",
           "execution_url": "https://rundeck.example.com/project/shop/execution/show/42"}


def failed_run(hosts=("web1",), **kwargs):
    failing = run(**kwargs)
    failing.dedup_key = failing.history_key
    failing.play_started("Deploy")
    for host in hosts:
        failing.record_failure(parts(host=host), "boom on %s" % host, unreachable=False)
    return failing


def outcome(failed=(), unreachable=(), ok=()):
    hosts = dict((host, {"ok": 1, "failures": 1}) for host in failed)
    hosts.update((host, {"ok": 0, "unreachable": 1}) for host in unreachable)
    hosts.update((host, {"ok": 2}) for host in ok)
    return RunOutcome(hosts, sorted(failed), sorted(unreachable))


def test_the_fields_hold_the_runs_own_check_mode():
    builder = events(config())
    assert builder.fields(run(check_mode=True))["check_mode"] is True
    assert builder.fields(run())["check_mode"] is False
    fields = builder.fields(run(rundeck=RUNDECK), trigger="failure")
    assert (fields["controller"], fields["user"], fields["trigger"], fields["rd_job_id"], fields["rd_exec_id"]) == \
        (CONTROLLER, "grace", "failure", "a1", "42")


def test_start_event():
    builder = events(config(custom_details='{"team": "checkout", "status": "mine"}'))
    starting = run()
    event = builder.start(starting)
    assert event["routing_key"] == KEY and event["event_action"] == "trigger"
    assert event["dedup_key"] == starting.dedup_key + ":start"
    payload = event["payload"]
    assert payload["summary"] == "Ansible playbook site.yml started on %s" % CONTROLLER
    assert (payload["severity"], payload["class"], payload["source"], payload["timestamp"]) == \
        ("info", "start", CONTROLLER, TIMESTAMP)
    details = payload["custom_details"]
    assert details["team"] == "checkout" and details["status"] == "started", "the callback's own details win"
    assert (details["playbook"], details["playbook_path"], details["inventory"], details["check_mode"],
            details["ansible_core"], details["dedup_key"]) == \
        ("site.yml", "/srv/ansible/site.yml", ["/srv/ansible/hosts"], False, "2.99.0", starting.dedup_key)
    assert event["client"] == "Ansible" and "component" not in payload and "group" not in payload


def test_failure_event():
    failing = failed_run(hosts=("web1", "db1"))
    failing.record_failure(parts(host="db1", task="Connect"), "connection refused", unreachable=True)
    event = events(config()).failure(failing, 75.0, outcome(failed=["web1"], unreachable=["db1"], ok=["web2"]),
                                     aborted=False)
    payload = event["payload"]
    assert event["dedup_key"] == failing.dedup_key and payload["severity"] == "error" and payload["class"] == "failure"
    assert payload["summary"] == ("Ansible playbook site.yml failed: 1 failed, 1 unreachable of 3 hosts (db1, web1)"
                                  " - task 'Restart app' on web1: boom on web1")
    details = payload["custom_details"]
    assert details["status"] == "failed" and details["duration_seconds"] == 75.0 and "signal" not in details
    assert details["hosts"] == {"total": 3, "failed": ["web1"], "unreachable": ["db1"]}
    assert sorted(details["host_stats"]) == ["db1", "web1"]
    assert details["failures"] == [
        {"host": "web1", "task": "Restart app", "message": "boom on web1", "play": "Deploy"},
        {"host": "db1", "task": "Connect", "message": "connection refused", "play": "Deploy", "unreachable": True}]


def test_failure_event_of_a_run_aborted_by_sigterm():
    failing = failed_run()
    failing.aborted_by = "SIGTERM"
    event = events(config()).failure(failing, 5.0, RunOutcome.from_failures(failing), aborted=True)
    assert event["payload"]["summary"] == ("Ansible playbook site.yml was terminated (SIGTERM) after 5.0 s "
                                           "(1 failed: web1) - task 'Restart app' on web1: boom on web1")
    details = event["payload"]["custom_details"]
    assert details["status"] == "aborted" and details["signal"] == "SIGTERM" and details["hosts"]["total"] == 0


def test_failure_event_lists_at_most_50_hosts_and_20_failures():
    hosts = ["host%02d" % number for number in range(60)]
    failing = failed_run(hosts=hosts)
    event = events(config()).failure(failing, 1.0, outcome(failed=hosts), aborted=False)
    details = event["payload"]["custom_details"]
    assert len(details["hosts"]["failed"]) == 50 and details["hosts"]["not_listed"] == 10
    assert len(details["host_stats"]) == 50
    assert len(details["failures"]) == 20 and details["failures_not_shown"] == 40
    assert "(host00, host01, host02, host03, host04 and 55 more)" in event["payload"]["summary"]


def test_the_templates_fill_summary_source_component_group_and_class():
    builder = events(config(summary="[shop] {message}", source="{playbook} on {controller}", component="checkout",
                            group="{failed_count} of {host_count}", event_class="ansible {trigger}"))
    event = builder.failure(failed_run(), 1.0, outcome(failed=["web1"]), aborted=False)
    payload = event["payload"]
    assert payload["summary"].startswith("[shop] Ansible playbook site.yml failed")
    assert (payload["source"], payload["component"], payload["group"], payload["class"]) == \
        ("site.yml on %s" % CONTROLLER, "checkout", "1 of 1", "ansible failure")


def test_a_custom_dedup_key():
    builder = events(config(dedup_key="deploy-{playbook}-{rd_job_id}"))
    assert builder.dedup_key(run(rundeck=RUNDECK)) == "deploy-site.yml-a1"
    assert events(config()).dedup_key(run()) == "ansible:site.yml:0123456789abcdef"
    assert events(config(dedup_key="{rd_job_id}")).dedup_key(run()) == "ansible:site.yml:0123456789abcdef", \
        "an empty key falls back to the default one"


def test_rundeck_runs_link_to_the_execution():
    builder = events(config(links="https://runbooks.example.com/checkout"))
    rundeck_run = failed_run(rundeck=RUNDECK)
    event = builder.failure(rundeck_run, 1.0, outcome(failed=["web1"]), aborted=False)
    assert event["payload"]["summary"].startswith("Rundeck job 'ops/Deploy' #42 failed: ")
    assert event["client"] == "Rundeck" and event["client_url"] == RUNDECK["execution_url"]
    assert event["links"] == [{"href": RUNDECK["execution_url"], "text": "Rundeck execution #42"},
                              {"href": "https://runbooks.example.com/checkout"}]
    assert event["payload"]["custom_details"]["rundeck"] == RUNDECK


def test_details_too_big_for_pagerduty_are_dropped_not_the_event():
    failing = failed_run()
    failing.last_failures["web1"]["message"] = "x" * (600 * 1024)
    event = events(config()).failure(failing, 1.0, outcome(failed=["web1"]), aborted=False)
    details = event["payload"]["custom_details"]
    assert sorted(details) == ["details_dropped", "status"] and details["status"] == "failed"
    assert len(event["payload"]["summary"]) == 1024


def test_running_long_event():
    long_run = run()
    long_run.average, long_run.previous_runs = 40.0, 3
    event = events(config()).running_long(long_run, 65.0)
    assert event["dedup_key"] == long_run.dedup_key + ":duration"
    assert event["payload"]["summary"] == ("Ansible playbook site.yml is still running after 1 min 5 s, longer than "
                                           "1.5 x its average of 40 s")
    assert event["payload"]["severity"] == "warning" and event["payload"]["class"] == "avg_duration"
    details = event["payload"]["custom_details"]
    assert (details["status"], details["elapsed_seconds"], details["average_seconds"], details["previous_runs"]) == \
        ("running long", 65.0, 40.0, 3)


def test_retry_event_of_an_ad_hoc_command():
    adhoc = run(kind="adhoc", module="ansible.builtin.ping", pattern="web*", playbook_path=None)
    event = events(config()).retry(adhoc, parts(data={"attempts": 2, "retries": 5}), "not yet")
    assert event["payload"]["summary"] == ("Ansible ad hoc ansible.builtin.ping on web*: task 'Restart app' failed on"
                                           " web1 and is being retried (3 retries left): not yet")
    details = event["payload"]["custom_details"]
    assert (details["module"], details["pattern"], details["retries_left"], details["message"]) == \
        ("ansible.builtin.ping", "web*", 3, "not yet")
    assert "playbook" not in details


def test_resolve_event():
    event = events(config()).resolve("ansible:site.yml:0123456789abcdef:start")
    assert event == {"routing_key": KEY, "event_action": "resolve",
                     "dedup_key": "ansible:site.yml:0123456789abcdef:start"}
