"""Unit tests of the notify callback's run record: what a run is, from the command line, and what it keeps."""

import os

import pytest

from notify_fakes import Clock, FakeStats, parts, run

from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_run import (
    ADHOC_PLAYBOOK, RunOutcome, describe_run, partial_options, play_names, result_parts)

CLI = {"tags": ["all"], "skip_tags": [], "check": False, "subset": None}


@pytest.mark.parametrize("arguments, rundeck, partial", [
    ({}, None, []),
    ({"tags": ["all"]}, None, []),
    ({"subset": "web1"}, None, ["--limit"]),
    ({"subset": "rundeck-node"}, {"job_id": "a1"}, []),     # Rundeck passes the job's nodes to every run
    ({"tags": ["all", "deploy"]}, None, ["--tags"]),
    ({"tags": "deploy"}, None, ["--tags"]),
    ({"skip_tags": ["slow"]}, None, ["--skip-tags"]),
    ({"start_at_task": "Restart"}, None, ["--start-at-task"]),
    ({"step": True}, None, ["--step"]),
])
def test_partial_runs_are_known_by_their_options(arguments, rundeck, partial):
    assert partial_options(dict(CLI, **arguments), rundeck) == partial


def test_a_playbook_run(tmp_path):
    inventory = tmp_path / "hosts"
    inventory.write_text("web1\n")
    described = describe_run(dict(CLI, args=["site.yml"], inventory=[str(inventory)], check=True), None,
                             environ={})
    assert (described.kind, described.playbook, described.label) == ("playbook", "site.yml", "site.yml")
    assert described.playbook_path == os.path.abspath("site.yml")
    assert described.inventory == [str(inventory)] and described.check_mode is True and described.partial == []
    assert described.rundeck is None
    assert described.history_key == described.dedup_key == "ansible:site.yml:%s" % described.identity
    # the same playbook with another inventory is another run, with its own alert
    other = describe_run(dict(CLI, args=["site.yml"], inventory=["other,"]), "site.yml", environ={})
    assert other.identity != described.identity


def test_the_default_inventory_is_used_when_none_is_given():
    described = describe_run(CLI, "/srv/site.yml", environ={}, default_inventory="/etc/ansible/hosts")
    assert described.inventory == ["/etc/ansible/hosts"] and described.playbook_path == "/srv/site.yml"


def test_an_ad_hoc_run_under_rundeck():
    environ = {"RD_JOB_PROJECT": "shop", "RD_JOB_ID": "a1", "RD_JOB_NAME": "Ping"}
    described = describe_run(dict(CLI, module_name="ansible.builtin.ping", args="web*", inventory=["web1,"]),
                             ADHOC_PLAYBOOK, environ=environ)
    assert (described.kind, described.module, described.pattern, described.playbook, described.label) == \
        ("adhoc", "ansible.builtin.ping", "web*", "ad hoc ansible.builtin.ping", "adhoc-ping")
    assert described.rundeck == {"project": "shop", "job_id": "a1", "job_name": "Ping"}
    assert described.history_key == "rundeck:shop:a1:adhoc-ping"


def test_an_inline_rundeck_playbook_is_named_by_its_plays():
    environ = {"RD_JOB_PROJECT": "shop", "RD_JOB_ID": "a1"}
    described = describe_run(CLI, "/tmp/ansible-runner8231playbook", ["Deploy"], environ=environ)
    again = describe_run(CLI, "/tmp/ansible-runner9999playbook", ["Deploy"], environ=environ)
    assert described.history_key == again.history_key and described.history_key.startswith("rundeck:shop:a1:inline-")


def test_a_cli_that_cannot_be_read_counts_as_empty():
    class Broken(object):
        def get(self, name, default=None):
            raise RuntimeError("no CLI")
    described = describe_run(Broken(), "site.yml", environ={})
    assert described.playbook == "site.yml" and described.check_mode is False and described.partial == []


def test_the_run_clock():
    clock = Clock()
    timed = run(clock=clock)
    clock.advance(30)
    assert timed.elapsed() == 30
    timed.begin()
    assert timed.elapsed() == 0 and timed.started == clock.now


def test_each_host_keeps_its_latest_failure_and_plays_are_listed_once():
    tracked = run()
    tracked.play_started("First")
    tracked.record_failure(parts(host="web1", task="Rescued"), "handled", unreachable=False)
    tracked.play_started("Second")
    tracked.play_started("First")
    tracked.record_failure(parts(host="db1"), "refused", unreachable=True)
    tracked.record_failure(parts(host="web1", task="Ended it"), "boom", unreachable=False)
    assert tracked.plays == ["First", "Second"]
    assert list(tracked.last_failures.values()) == [
        {"host": "db1", "task": "Restart app", "message": "refused", "play": "First", "unreachable": True},
        {"host": "web1", "task": "Ended it", "message": "boom", "play": "First"}]
    outcome = RunOutcome.from_failures(tracked)
    assert (outcome.failed, outcome.unreachable, outcome.bad, outcome.succeeded) == \
        (["web1"], ["db1"], ["db1", "web1"], False)


def test_a_retry_counts_once_per_task_and_host():
    retried = run()
    assert retried.first_retry(parts(task_uuid="t1")) is True
    assert retried.first_retry(parts(task_uuid="t1")) is False
    assert retried.first_retry(parts(task_uuid="t2")) is True
    assert retried.first_retry(parts(host="web2", task_uuid="t1")) is True


def test_outcome_from_the_stats():
    stats = FakeStats(web1={"ok": 3, "changed": 1, "failures": 1}, web2={"ok": 2}, db1={"unreachable": 1})
    outcome = RunOutcome.from_stats(stats)
    assert (outcome.failed, outcome.unreachable, outcome.succeeded) == (["web1"], ["db1"], False)
    assert outcome.host_stats["web2"] == {"ok": 2, "changed": 0, "failures": 0, "unreachable": 0, "skipped": 0,
                                          "rescued": 0, "ignored": 0}
    assert RunOutcome.from_stats(FakeStats(web2={"ok": 2})).succeeded


class Named(object):
    def __init__(self, name, **attributes):
        self._name = name
        self.__dict__.update(attributes)

    def get_name(self):
        return self._name


def test_result_parts_of_older_and_newer_ansible_core():
    class Older(object):          # ansible-core 2.16: private attributes
        _host = Named("web1")
        _task = Named("Restart app", no_log=True, _uuid="u1")
        _result = {"failed": True, "msg": "boom"}

    class Newer(object):          # ansible-core 2.19+: public ones, and the task's name
        host = Named("web2")
        task = Named("ignored", _uuid="u2")
        task_name = "Restart app"
        result = {"failed": True}
    assert result_parts(Older()) == ("web1", "Restart app", "u1", {"failed": True, "msg": "boom"}, True)
    assert result_parts(Newer()) == ("web2", "Restart app", "u2", {"failed": True}, False)
    assert result_parts(object()) == ("?", "?", None, {}, False)


def test_play_names():
    class Playbook(object):
        def get_plays(self):
            return [Named("First"), Named("Second")]
    assert play_names(Playbook()) == ["First", "Second"]
    assert play_names(None) == []
