"""The oncall lookup in real plays: the answers, one question per run across tasks and hosts, the connection from
options or the environment, and one-line errors."""

import os

from pd_harness import ADMIN_TOKEN, TARGETS

INVENTORY = "web1 ansible_connection=local\nweb2 ansible_connection=local\n"


def play(ansible, path, env=None, expect_rc=0, extra=None):
    inventory = ansible.tmp_path / "hosts"
    inventory.write_text(INVENTORY)
    path = path if os.path.isabs(path) else os.path.join(TARGETS, path)
    command_env = dict(env or {})
    return ansible.playbook(path, extra, env=command_env, expect_rc=expect_rc, inventory=str(inventory))


def test_a_play_asks_each_question_once(ansible, sim):
    play(ansible, "lookup_oncall/play.yml")
    log = [(r["method"], r["path"]) for r in sim.requests()]
    assert sorted(log) == sorted([("GET", "/escalation_policies"), ("GET", "/oncalls"),       # the policy, 4 lookups
                                  ("GET", "/services"), ("GET", "/oncalls"),                  # the service
                                  ("GET", "/oncalls")]), \
        "2 hosts x 5 lookups: one request per name, one listing per question, whatever the level"


def test_the_connection_comes_from_options_too(ansible, sim, tmp_path):
    playbook = tmp_path / "options.yml"
    playbook.write_text(
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - ansible.builtin.assert:\n        that: >-\n"
        "          lookup('oncall.pagerduty.oncall', 'Platform On-Call', api_token=token, api_url=sim_url,"
        " region='eu') == 'margaret@example.com'\n")
    ansible.playbook(str(playbook), {"token": ADMIN_TOKEN}, env={"PAGERDUTY_API_TOKEN": ""}, connection=False)
    assert [r["path"] for r in sim.requests()] == ["/escalation_policies", "/oncalls"]


def test_a_bad_name_is_one_line(ansible, sim, tmp_path):
    playbook = tmp_path / "bad.yml"
    playbook.write_text("- hosts: localhost\n  gather_facts: false\n  tasks:\n"
                        "    - ansible.builtin.debug:\n        msg: \"{{ lookup('oncall.pagerduty.oncall', 'Checkout')"
                        " }}\"\n")
    run = ansible.playbook(str(playbook), expect_rc=2)
    assert ("oncall: escalation_policies: no escalation policy is named 'Checkout'; found: Checkout Escalation "
            "(PEPCHK1)") in run.output
    assert "Traceback" not in run.output
    missing = ansible.playbook(str(playbook), env={"PAGERDUTY_API_TOKEN": ""}, expect_rc=2)
    assert "oncall: api_token (or PAGERDUTY_API_TOKEN) is required" in missing.output


def test_pagerdutys_errors_are_one_line(ansible, sim, tmp_path):
    playbook = tmp_path / "errors.yml"
    playbook.write_text("- hosts: localhost\n  gather_facts: false\n  tasks:\n"
                        "    - ansible.builtin.debug:\n        msg: \"{{ lookup('oncall.pagerduty.oncall', 'PEPCHK1')"
                        " }}\"\n")
    sim.fault(path="^/oncalls$", status=503, count=None)
    down = ansible.playbook(str(playbook), env={"PAGERDUTY_MAX_RETRY_WAIT": "0"}, expect_rc=2)
    line = next(text for text in down.output.splitlines() if "oncall: " in text)
    assert "Gave up on GET /oncalls after 1 attempts" in line and "503" in line, down.output
    assert "Traceback" not in down.output
    sim.call("DELETE", "/_sim/faults")
    refused = ansible.playbook(str(playbook), env={"PAGERDUTY_API_TOKEN": "pdsim-wrong-token"}, expect_rc=2)
    assert "oncall: " in refused.output and "401" in refused.output and "Traceback" not in refused.output
