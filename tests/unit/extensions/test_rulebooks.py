"""The collection's rulebooks: remediate.yml (ansible-rulebook, run_playbook) and remediate_controller.yml (EDA
controller, run_job_template) parse, and match the same events from the same source with the same extra vars.

tests/integration/test_eda.py runs remediate.yml with the real ansible-rulebook; EDA controller is not available to
the tests, so the controller rulebook is checked here against the shape ansible-rulebook's schema gives its action.
"""

import os

import jinja2
import yaml

from webhook_source import REPO

RULEBOOKS = os.path.join(REPO, "extensions", "eda", "rulebooks")
# ansible-rulebook's ruleset_schema.json, run-job-template-action: the keys it allows, and those it requires
JOB_TEMPLATE_KEYS = {"name", "organization", "job_args", "post_events", "set_facts", "ruleset", "var_root", "retry",
                     "retries", "delay", "include_events", "lock", "labels", "add_event_uuid_label"}


def rulebook(name):
    with open(os.path.join(RULEBOOKS, name), encoding="utf-8") as handle:
        rulesets = yaml.safe_load(handle)
    assert isinstance(rulesets, list) and len(rulesets) == 1
    [ruleset] = rulesets
    assert {"name", "hosts", "sources", "rules"} <= set(ruleset)
    [rule] = ruleset["rules"]
    return ruleset, rule


def render(template, **variables):
    return jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(template).render(**variables)


def test_the_controller_rulebook_matches_what_the_cli_rulebook_matches_from_the_same_source():
    cli, cli_rule = rulebook("remediate.yml")
    controller, controller_rule = rulebook("remediate_controller.yml")
    assert controller["hosts"] == cli["hosts"]
    assert controller["sources"] == cli["sources"]
    assert [list(source) for source in cli["sources"]] == [["oncall.pagerduty.webhook"]]
    assert controller_rule["condition"] == cli_rule["condition"]
    assert "vars.remediate_service" in controller_rule["condition"]


def test_the_controller_rulebook_launches_a_job_template_with_the_playbooks_extra_vars():
    _cli, cli_rule = rulebook("remediate.yml")
    _controller, controller_rule = rulebook("remediate_controller.yml")
    playbook = cli_rule["action"]["run_playbook"]
    assert playbook["name"] == "oncall.pagerduty.eda_remediate"
    assert list(controller_rule["action"]) == ["run_job_template"]      # EDA controller runs no run_playbook
    job = controller_rule["action"]["run_job_template"]
    assert set(job) <= JOB_TEMPLATE_KEYS and {"name", "organization"} <= set(job)
    assert job["job_args"] == {"extra_vars": playbook["extra_vars"]}
    # the job template and its organization: rulebook variables, with defaults
    assert (render(job["name"]), render(job["organization"])) == ("Remediate a PagerDuty incident", "Default")
    assert render(job["name"], remediate_job_template="Fix checkout") == "Fix checkout"
    assert render(job["organization"], remediate_organization="Ops") == "Ops"


def test_every_rulebook_is_checked_here():
    assert sorted(os.listdir(RULEBOOKS)) == ["remediate.yml", "remediate_controller.yml"]
