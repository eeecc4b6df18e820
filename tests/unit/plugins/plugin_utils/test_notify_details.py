"""Unit tests of what the notify callback says: templates, failure messages, Rundeck context, dedup keys."""

import re

import pytest

from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_details import (
    CENSORED, DEDUP_KEY_FIELDS, TemplateError, check_template, default_dedup_key, failure_message, identity,
    normalise_inventory, render, rundeck_context, seconds, step_label, truncate)


def test_render_fields_and_braces():
    fields = {"playbook": "site.yml", "failed_hosts": ["web1", "web2"], "task": None}
    assert render("[prod] {playbook} on {failed_hosts}{task} {{literal}}", fields) == \
        "[prod] site.yml on web1, web2 {literal}"


@pytest.mark.parametrize("template, message", [
    ("{nope}", r"unknown field \{nope\}"),
    ("{playbook.__class__}", "a lone '{'"),
    ("{0}", "a lone '{'"),
    ("oops }", "a lone '}'"),
])
def test_render_refuses_anything_but_known_names(template, message):
    with pytest.raises(TemplateError, match=message):
        check_template(template)


def test_dedup_key_template_may_only_use_fields_known_at_start():
    check_template("deploy-{playbook}-{rd_job_id}", DEDUP_KEY_FIELDS)
    with pytest.raises(TemplateError, match="unknown field"):
        check_template("{failed_hosts}", DEDUP_KEY_FIELDS)


def test_failure_message_uses_message_stderr_and_rc_never_arguments():
    result = {"failed": True, "msg": "non-zero return code", "rc": 2, "cmd": ["deploy", "--password", "s3cret"],
              "invocation": {"module_args": {"argv": ["deploy", "--password", "s3cret"]}},
              "stderr": "line 1\nline 2\n\nerror: disk full\n", "stdout": "s3cret"}
    assert failure_message(result) == "non-zero return code; stderr: line 1 / line 2 / error: disk full; rc=2"


def test_failure_message_of_loops_lists_failed_items():
    result = {"failed": True, "msg": "One or more items failed", "results": [
        {"failed": False, "msg": "ok"},
        {"failed": True, "msg": "no such user: bob"},
        {"failed": True, "_ansible_no_log": True, "msg": "secret"},
        {"failed": True, "msg": "no such user: bob"},
    ]}
    assert failure_message(result) == "no such user: bob | %s" % CENSORED


@pytest.mark.parametrize("result, no_log", [
    ({"censored": "hidden", "msg": "secret"}, False),
    ({"_ansible_no_log": True, "msg": "secret"}, False),
    ({"msg": "secret"}, True),
])
def test_no_log_results_stay_censored(result, no_log):
    assert failure_message(result, no_log=no_log) == CENSORED


def test_failure_message_is_one_truncated_line():
    message = failure_message({"msg": "first line\nsecond line " + "x" * 600}, limit=40)
    assert len(message) == 40 and "\n" not in message and message.endswith(u"\u2026")
    assert failure_message({"failed": True}) == "failed without a message"
    assert failure_message({"msg": {"reason": "structured"}}) == '{"reason": "structured"}'


def test_module_failure_adds_the_last_line_of_the_traceback():
    result = {"msg": "MODULE FAILURE\nSee stdout/stderr for the exact error", "rc": 1,
              "module_stderr": "Traceback (most recent call last):\n  File x\nValueError: bad value\n"}
    assert failure_message(result) == \
        "MODULE FAILURE See stdout/stderr for the exact error; ValueError: bad value; rc=1"


def test_rundeck_context():
    assert rundeck_context({"HOME": "/root"}) is None
    context = rundeck_context({"RD_JOB_NAME": "Deploy", "RD_JOB_PROJECT": "shop", "RD_JOB_EXECID": "7",
                               "RD_JOB_USER_NAME": "ada", "RD_JOB_SERVERURL": "https://rd.example.com/", "RD_JOB_ID": ""})
    assert context == {"job_name": "Deploy", "project": "shop", "execution_id": "7", "user": "ada",
                       "server_url": "https://rd.example.com/",
                       "execution_url": "https://rd.example.com/project/shop/execution/show/7"}
    assert rundeck_context({"RD_JOB_URL": "javascript:alert(1)", "RD_JOB_NAME": "x"}) == {"job_name": "x"}


def test_default_dedup_key():
    run = identity("playbook", "/srv/site.yml", ["/srv/hosts"])
    assert run == identity("playbook", "/srv/site.yml", ["/srv/hosts"]) and len(run) == 16
    assert run != identity("playbook", "/srv/site.yml", ["/srv/staging"])
    assert default_dedup_key("site.yml", run) == "ansible:site.yml:%s" % run
    assert default_dedup_key("my play book!.yml", run) == "ansible:my_play_book_.yml:%s" % run
    assert default_dedup_key("site.yml", run, {"project": "shop"}) == "ansible:site.yml:%s" % run


def test_rundeck_dedup_key_is_the_job_and_the_playbook():
    job = {"project": "shop", "job_id": "a1"}
    run = identity("playbook", "/tmp/a/site.yml", ["/tmp/a/inventory"])
    assert default_dedup_key("site.yml", run, job) == "rundeck:shop:a1:site.yml"
    assert default_dedup_key("adhoc-command", run, job) == "rundeck:shop:a1:adhoc-command"
    # the plugin writes an inline playbook to a new temporary file every time: its plays name it
    inline = default_dedup_key("ansible-runner8412337791playbook", run, job, plays=["Deploy", "Check"])
    assert inline == default_dedup_key("5532107playbook", run, job, plays=["Deploy", "Check"])
    assert re.match(r"^rundeck:shop:a1:inline-[0-9a-f]{8}$", inline)
    assert inline != default_dedup_key("ansible-runner8412337791playbook", run, job, plays=["Restart"])
    assert step_label("deploy.yml", ["Deploy"]) == "deploy.yml"


def test_inventory_paths_are_made_absolute(tmp_path):
    (tmp_path / "hosts").write_text("")
    assert normalise_inventory(["hosts", "web1,web2", "missing"], cwd=str(tmp_path)) == \
        sorted([str(tmp_path / "hosts"), "web1,web2", "missing"])


def test_small_helpers():
    assert [seconds(v) for v in (0.25, 42, 185, 7322)] == ["0.2 s", "42 s", "3 min 5 s", "2 h 2 min"]
    assert truncate("abcdef", 4) == u"abc\u2026" and truncate(None, 4) == ""
