"""Replays exactly what Rundeck's Ansible plugin (rundeck-plugins/ansible-plugin) runs, against the simulator.

What the plugin runs (AnsibleRunner.java, AnsibleRunnerContextBuilder.java, AnsibleModuleWorkflowStep.java,
AnsiblePlaybookWorkflowStep.java, AnsibleDescribable.java):

* Rundeck first substitutes ``${option.NAME}`` in every property of the step's configuration, then hands the plugin
  only the properties its step type declares (StepPluginAdapter.createConfig, PluginAdapterUtility): anything else in
  the job definition is dropped. The Module step declares no Extra Variables (``ansible-extra-vars`` and
  ``ansible-encrypt-extra-vars`` are Playbook-step properties). See MODULE_STEP and PLAYBOOK_STEP below.
* Ansible Module step, plugin 4.x::

      ansible all -m MODULE -a ARGS -i INVENTORY -l NODE[,NODE...] [-vvv]

  in a temporary base directory, with the environment of the Rundeck server plus: every job option that is not
  secure, under the option's own name (``getListOptions``: ``pd_note``, not ``RD_OPTION_PD_NOTE``);
  ``ANSIBLE_CONFIG`` when a config file path is set; and, for ad hoc runs only, set only when absent (``putIfAbsent``,
  so a job option of the same name wins): ``ANSIBLE_LOAD_CALLBACK_PLUGINS=1``,
  ``ANSIBLE_CALLBACKS_ENABLED=ansible.builtin.tree``, ``ANSIBLE_CALLBACK_TREE_DIR=<base directory>`` and
  ``ANSIBLE_CALLBACK_WHITELIST=tree``.
* Ansible Module step, plugin 3.x::

      ansible all -m MODULE -a ARGS -t <base directory> --inventory-file=INVENTORY -l NODE

  with no callback variables of its own.
* Ansible Playbook step: ``ansible-playbook PLAYBOOK -i INVENTORY -l NODE --extra-vars=@FILE`` (``-i`` was
  ``--inventory-file=`` in 3.x), the step's "Extra Variables" written to FILE; no callback variables. With "Encrypt
  Extra Vars" the plugin reads the Extra Variables as YAML into a map of strings, drops blank values, vault-encrypts
  each value and adds ``--vault-id internal-encrypt@<script>`` (``encryptExtraVarsKey``).

The INVENTORY is the step's inline inventory written to a file. Secure options are not exported to the environment
(plugin 3.2.11 and later). The plugin exports no ``RD_JOB_*`` job context of its own; the tests that need it for the
notify callback's Rundeck details put it in the server's environment (RUNDECK_JOB below).
"""

import json
import os
import re
import sys

import pytest

from pd_harness import ADMIN_EMAIL, ADMIN_TOKEN, REPO, ROUTING_KEY

try:
    from ansible.release import __version__ as ANSIBLE_CORE
except ImportError:  # pragma: no cover
    ANSIBLE_CORE = "0"

NODE = "rundeck-server"
PROJECT, JOB_ID, EXEC_ID = "ops", "7f3c2a9e-1b4d-4c5e-9f60-0a1b2c3d4e5f", "4711"
# Rundeck's job context, as Command and Script steps get it; for Ansible steps it has to come from the Rundeck server's
# environment (or a plugin build that forwards it), which is where these tests put it.
RUNDECK_JOB = {"RD_JOB_PROJECT": PROJECT, "RD_JOB_ID": JOB_ID, "RD_JOB_EXECID": EXEC_ID, "RD_JOB_NAME": "pagerduty note",
               "RD_JOB_USERNAME": "alice", "RD_JOB_SERVERURL": "https://rundeck.example.com"}
# A token Rundeck would substitute from ${option.pd_api_token}: one the simulator does not know, so the run fails.
SUBSTITUTED = "rundeck-substituted-token-0001"
# Free text as people type it: YAML would read ": " as a mapping (or fail), "#..." as a comment and "no" as false,
# and Ansible would run "{{ }}" from an argument or an extra var as a template.
AWKWARD = 'Rolled back: bad deploy #123 "reverted" {{ 7 * 7 }}'

# The properties each step type declares (AnsibleModuleWorkflowStep / AnsiblePlaybookWorkflowStep DESC): the only
# ones Rundeck hands the plugin.
SSH_AND_BECOME = {"ansible-ssh-auth-type", "ansible-ssh-user", "ansible-ssh-password-storage-path",
                  "ansible-ssh-keypath", "ansible-ssh-key-storage-path", "ansible-ssh-timeout", "ansible-ssh-use-agent",
                  "ansible-ssh-passphrase-storage-path", "ansible-ssh-passphrase-option", "ansible-become",
                  "ansible-become-method", "ansible-become-user", "ansible-become-password-storage-path"}
MODULE_STEP = {"ansible-binaries-dir-path", "ansible-base-dir-path", "ansible-inventory-inline", "ansible-module",
               "ansible-module-args"} | SSH_AND_BECOME
PLAYBOOK_STEP = {"ansible-binaries-dir-path", "ansible-base-dir-path", "ansible-playbook", "ansible-extra-vars",
                 "ansible-encrypt-extra-vars", "ansible-inventory-inline", "ansible-vault-path",
                 "ansible-vault-storage-path", "ansible-extra-param", "ansible-disable-limit"} | SSH_AND_BECOME
DECLARED = {"com.batix.rundeck.plugins.AnsibleModuleWorkflowStep": MODULE_STEP,
            "com.batix.rundeck.plugins.AnsiblePlaybookWorkflowStep": PLAYBOOK_STEP}


def core_version():
    return tuple(int(part) for part in ANSIBLE_CORE.split(".")[:2])


class Rundeck(object):
    """Builds the plugin's command lines and environment; runs them through the harness (which scans for secrets)."""

    def __init__(self, ansible, sim):
        self.ansible = ansible
        self.sim = sim
        self.base = ansible.tmp_path          # the harness runs in tmp_path: Rundeck's base directory
        self.inventory = self.base / "ansible-runner-inventory"
        self.inventory.write_text("[pagerduty]\n%s ansible_connection=local ansible_python_interpreter=%s\n"
                                  % (NODE, sys.executable))
        self.count = 0

    def extra_vars(self, text):
        self.count += 1
        path = self.base / ("ansible-runner-extra-vars-%d" % self.count)
        path.write_text(text)
        return str(path)

    def environment(self, options=None, plugin="4", server=None):
        """The server's environment (``server``) and the job's non-secure ``options``, as the plugin passes them."""
        env = dict(RUNDECK_JOB)
        env.update(server or {})
        env.update(options or {})
        if plugin == "4":
            for name, value in (("ANSIBLE_LOAD_CALLBACK_PLUGINS", "1"),
                                ("ANSIBLE_CALLBACKS_ENABLED", "ansible.builtin.tree"),
                                ("ANSIBLE_CALLBACK_TREE_DIR", str(self.base)),
                                ("ANSIBLE_CALLBACK_WHITELIST", "tree")):
                env.setdefault(name, value)
        env.setdefault("PAGERDUTY_NOTIFY_STATE_DIR", str(self.base / "notify-state"))
        # The harness environment has the simulator's URLs and nothing else of PagerDuty's.
        return self.ansible.env(env)

    def module(self, module, args, plugin="4", extra_vars=None, options=None, server=None, expect_rc=0):
        command = [os.path.join(os.path.dirname(sys.executable), "ansible"), "all", "-m", module, "-a", args]
        if plugin == "4":
            command += ["-i", str(self.inventory), "-l", NODE]
        else:
            command += ["-t", str(self.base), "--inventory-file=%s" % self.inventory, "-l", NODE]
        if extra_vars is not None:
            command.append("--extra-vars=@%s" % self.extra_vars(extra_vars))
        return self.ansible._run(command, self.environment(options, plugin, server), expect_rc)

    def playbook(self, playbook, extra_vars, options=None, server=None, expect_rc=0, encrypt=False):
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), playbook,
                   "-i", str(self.inventory), "-l", NODE]
        if encrypt:
            extra_vars = self.encrypted(extra_vars)
        command.append("--extra-vars=@%s" % self.extra_vars(extra_vars))
        if encrypt:
            command += ["--vault-id", "internal-encrypt@%s" % self.vault_password]
        return self.ansible._run(command, self.environment(options, plugin="playbook", server=server), expect_rc)

    def encrypted(self, text):
        """What "Encrypt Extra Vars" makes of the Extra Variables (AnsibleRunner.encryptExtraVarsKey): the text read
        as YAML into a map of strings (a YAML error fails the step), blank values dropped, each value encrypted with
        ansible-vault under the vault id internal-encrypt."""
        import yaml
        from ansible.parsing.vault import VaultLib, VaultSecret
        values = yaml.load(text, Loader=yaml.BaseLoader)  # every scalar a string, as Jackson reads Map<String,String>
        assert isinstance(values, dict) and values, "the plugin fails: extraVars is empty or could not be parsed"
        self.vault_password = self.base / "ansible-script-vault"
        self.vault_password.write_text("rundeck-internal-vault-password\n")
        secret = VaultSecret(b"rundeck-internal-vault-password")
        vault = VaultLib([("internal-encrypt", secret)])
        lines = []
        for name, value in values.items():
            if value.strip():
                encrypted = vault.encrypt(value, secret, vault_id="internal-encrypt").decode()
                lines.append("%s: !vault |\n%s" % (name, "\n".join("  " + line for line in encrypted.splitlines())))
        return "\n".join(lines) + "\n"

    def step(self, job, values, server=None, expect_rc=0):
        """The job's first step as Rundeck and the plugin run it: ${option.*} substituted in every property, only the
        properties the step type declares kept, the inline inventory written, the job's non-secure options exported."""
        step = job["sequence"]["commands"][0]
        config = dict((name, substitute(value, values)) for name, value in step["configuration"].items()
                      if name in DECLARED[step["type"]])
        self.inventory.write_text(config["ansible-inventory-inline"])
        options = job_environment(job, values)
        if "ansible-module" in config:
            return self.module(config["ansible-module"], config["ansible-module-args"], options=options,
                               server=server, expect_rc=expect_rc)
        return self.playbook(config["ansible-playbook"], config["ansible-extra-vars"], options=options, server=server,
                             expect_rc=expect_rc, encrypt=config.get("ansible-encrypt-extra-vars") == "true")


@pytest.fixture
def rundeck(ansible, sim):
    return Rundeck(ansible, sim)


def notes(sim, incident_id):
    return [n["content"] for n in sim.state("notes").get(incident_id, [])]


def alerts(sim):
    """The alert events the notify callback sent, with the routing key's service."""
    return [e for e in sim.events()["events"] if (e.get("payload") or {}).get("custom_details", {}).get("rundeck")
            or str(e.get("dedup_key", "")).startswith("rundeck:")]


# -- the token, each way Rundeck can pass it ----------------------------------------------------------------------

def test_token_from_the_environment(rundeck, sim):
    """A Secure option exported as PAGERDUTY_API_TOKEN (plugin <= 3.2.10), or the Rundeck server's environment."""
    incident = sim.create_incident()
    args = "incident_id=%s note='Restarted by Rundeck'" % incident["id"]
    server = {"PAGERDUTY_API_TOKEN": ADMIN_TOKEN, "PAGERDUTY_FROM_EMAIL": ADMIN_EMAIL}
    result = rundeck.module("oncall.pagerduty.pd_incident_note", args, server=server).result()
    assert result["changed"] is True and notes(sim, incident["id"]) == ["Restarted by Rundeck"]
    failed = rundeck.module("oncall.pagerduty.pd_incident_note", "incident_id=PNOTHERE note=x", server=server,
                            expect_rc=2).result()
    assert "Incident PNOTHERE not found" in failed["msg"]


def test_token_through_an_env_lookup_in_the_arguments(rundeck, sim):
    """A job option (or server variable) of another name, read with lookup('env', ...): the arguments hold only the
    template, so even the failure report of ansible-core 2.19+ cannot print the token."""
    incident = sim.create_incident()
    args = ("api_token={{ lookup('ansible.builtin.env', 'PD_TOKEN') }} incident_id=%s note='Checked the queue'"
            % incident["id"])
    server = {"PD_TOKEN": ADMIN_TOKEN, "PAGERDUTY_FROM_EMAIL": ADMIN_EMAIL}
    assert rundeck.module("oncall.pagerduty.pd_incident_note", args, server=server).result()["changed"] is True
    failed = rundeck.module("oncall.pagerduty.pd_incident_note",
                            "api_token={{ lookup('ansible.builtin.env', 'PD_TOKEN') }} incident_id=PNOTHERE note=x",
                            server=server, expect_rc=2)
    assert "Incident PNOTHERE not found" in failed.result()["msg"]
    assert notes(sim, incident["id"]) == ["Checked the queue"]


@pytest.mark.parametrize("plugin", ["4", "3"])
def test_token_as_a_host_variable_of_the_inline_inventory(rundeck, sim, plugin):
    """A Module step has no Extra Variables: ``pd_api_token="${option.pd_api_token}"`` on the node's line of the
    step's inline inventory (substituted by Rundeck, written to a temporary file by the plugin), and the arguments
    refer to the variable. Safe on success and on failure, on both command-line forms of the plugin."""
    incident = sim.create_incident()
    rundeck.inventory.write_text("[pagerduty]\n%s ansible_connection=local ansible_python_interpreter=%s "
                                 "pd_api_token=\"%s\" pd_from_email=%s\n" % (NODE, sys.executable, ADMIN_TOKEN, ADMIN_EMAIL))
    args = ("api_token={{ pd_api_token }} from_email={{ pd_from_email }} incident_id=%s note='Noted by Rundeck'"
            % incident["id"])
    result = rundeck.module("oncall.pagerduty.pd_incident_note", args, plugin=plugin).result()
    assert result["changed"] is True
    failed = rundeck.module("oncall.pagerduty.pd_incident_note",
                            "api_token={{ pd_api_token }} incident_id=PNOTHERE note=x", plugin=plugin, expect_rc=2)
    assert "Incident PNOTHERE not found" in failed.result()["msg"]
    assert notes(sim, incident["id"]) == ["Noted by Rundeck"]


def test_token_substituted_into_the_arguments_is_safe_only_while_the_task_succeeds(rundeck, sim):
    """``-a "api_token=${option.pd_api_token} ..."``: the module never prints it (no_log), but when the task fails
    ansible-core 2.19 and later print the ad hoc task's raw arguments, token included. Do not do this (see
    docs/docsite/rst/rundeck.rst); this test keeps that warning true."""
    incident = sim.create_incident()
    env = {"PAGERDUTY_FROM_EMAIL": ADMIN_EMAIL}
    ok = rundeck.module("oncall.pagerduty.pd_incident_note",
                        "api_token=%s incident_id=%s note='Substituted'" % (ADMIN_TOKEN, incident["id"]), server=env)
    assert ok.result()["changed"] is True  # and the harness found no token in the output
    failed = rundeck.module("oncall.pagerduty.pd_incident_note",
                            "api_token=%s incident_id=%s note='Substituted'" % (SUBSTITUTED, incident["id"]),
                            server=env, expect_rc=2)
    assert "401" in failed.result()["msg"]
    if core_version() >= (2, 19):
        assert SUBSTITUTED in failed.output, "ansible-core %s no longer prints the arguments" % ANSIBLE_CORE
    else:
        assert SUBSTITUTED not in failed.output


# -- the callback and the plugin's environment -------------------------------------------------------------------

def test_notify_enabled_through_the_job_option_that_the_plugin_lets_win(rundeck, sim, tmp_path):
    """Plugin 4.x sets ANSIBLE_CALLBACKS_ENABLED=ansible.builtin.tree for ad hoc runs, which hides callbacks_enabled
    of ansible.cfg; a job option ANSIBLE_CALLBACKS_ENABLED (set only-if-absent by the plugin, so it wins) with
    ``ansible.builtin.tree,oncall.pagerduty.notify`` enables notify, and the tree output still works."""
    config = tmp_path / "ansible.cfg"
    config.write_text("[defaults]\ncallbacks_enabled = oncall.pagerduty.notify\nbin_ansible_callbacks = true\n")
    server = {"PAGERDUTY_API_TOKEN": ADMIN_TOKEN, "PAGERDUTY_FROM_EMAIL": ADMIN_EMAIL,
              "PAGERDUTY_ROUTING_KEY": ROUTING_KEY, "ANSIBLE_CONFIG": str(config)}
    failing = "incident_id=PNOTHERE note=x"

    hidden = rundeck.module("oncall.pagerduty.pd_incident_note", failing, server=server, expect_rc=2)
    assert "Incident PNOTHERE not found" in hidden.result()["msg"]
    assert alerts(sim) == [], "the plugin's ANSIBLE_CALLBACKS_ENABLED hides ansible.cfg's callbacks_enabled"

    options = {"ANSIBLE_CALLBACKS_ENABLED": "ansible.builtin.tree,oncall.pagerduty.notify"}
    rundeck.module("oncall.pagerduty.pd_incident_note", failing, server=server, options=options, expect_rc=2)
    triggered = alerts(sim)
    assert len(triggered) == 1 and triggered[0]["event_action"] == "trigger"
    assert triggered[0]["dedup_key"] == "rundeck:%s:%s:adhoc-pd_incident_note" % (PROJECT, JOB_ID)
    open_incidents = sim.incidents(**{"incident_key": triggered[0]["dedup_key"], "statuses[]": "triggered"})
    assert len(open_incidents) == 1
    tree = json.loads((rundeck.base / NODE).read_text())
    assert "PNOTHERE not found" in tree["msg"], "the tree callback still writes the node's result to the base directory"

    incident = sim.create_incident()
    rundeck.module("oncall.pagerduty.pd_incident_note", "incident_id=%s note=fixed" % incident["id"], server=server,
                   options=options)
    assert [e["event_action"] for e in alerts(sim)] == ["trigger", "resolve"]
    assert sim.incident(open_incidents[0]["id"])["status"] == "resolved"


def test_notify_with_the_3x_command_line_and_ansible_cfg(rundeck, sim, tmp_path):
    """Plugin 3.x passes -t and sets no callback variables: ansible.cfg (the step's config file path, exported as
    ANSIBLE_CONFIG) enables notify, with bin_ansible_callbacks for the ad hoc command."""
    config = tmp_path / "ansible.cfg"
    config.write_text("[defaults]\ncallbacks_enabled = oncall.pagerduty.notify\nbin_ansible_callbacks = true\n")
    server = {"PAGERDUTY_API_TOKEN": ADMIN_TOKEN, "PAGERDUTY_ROUTING_KEY": ROUTING_KEY, "ANSIBLE_CONFIG": str(config)}
    rundeck.module("oncall.pagerduty.pd_incident_info", "incident_id=PNOTHERE", plugin="3", server=server,
                   expect_rc=2)
    assert [e["event_action"] for e in alerts(sim)] == ["trigger"]
    assert "PNOTHERE not found" in json.loads((rundeck.base / NODE).read_text())["msg"]


def test_playbook_step_with_rundeck_extra_vars_set_stats_and_notify(rundeck, sim, tmp_path):
    """The Playbook step: the playbook's path, the step's Extra Variables as Rundeck writes them (options substituted,
    blank ones empty), ansible.cfg from the config file path enabling notify and custom stats, which the plugin's
    ansible-set-stats log filter reads into ${data.*}."""
    config = tmp_path / "ansible.cfg"
    config.write_text("[defaults]\ncallbacks_enabled = oncall.pagerduty.notify\nshow_custom_stats = true\n")
    server = {"PAGERDUTY_ROUTING_KEY": ROUTING_KEY, "ANSIBLE_CONFIG": str(config)}
    incident = sim.create_incident()
    extra = ("pd_incident_id: %s\npd_status: acknowledged\npd_resolution:\npd_assignees: ''\n"
             "pd_api_token: %s\npd_from_email: %s\n" % (incident["incident_number"], ADMIN_TOKEN, ADMIN_EMAIL))
    run = rundeck.playbook(os.path.join(REPO, "playbooks", "incident_update.yml"), extra, server=server)
    data = [json.loads(line[len("\tRUN: "):]) for line in run.stdout.splitlines() if line.startswith("\tRUN: {")]
    assert data and data[0]["pd_incident_status"] == "acknowledged" and data[0]["pd_incident_id"] == incident["id"]
    assert sim.incident(incident["id"])["status"] == "acknowledged"
    assert [e["event_action"] for e in alerts(sim)] == ["resolve"], "a successful run resolves the job's alert"

    failed = rundeck.playbook(os.path.join(REPO, "playbooks", "incident_update.yml"),
                              extra.replace("pd_incident_id: %s" % incident["incident_number"], "pd_incident_id: 999"),
                              server=server, expect_rc=2)
    assert "999" in failed.stdout
    sent = alerts(sim)
    assert [e["event_action"] for e in sent] == ["resolve", "trigger"]
    details = sent[-1]["payload"]["custom_details"]
    assert details["rundeck"]["execution_url"] == "https://rundeck.example.com/project/ops/execution/show/4711"


def test_event_module_step_with_the_routing_key_from_the_server_environment(rundeck, sim):
    result = rundeck.module("oncall.pagerduty.pd_event",
                            "summary='Checkout latency above SLO' severity=warning source=rundeck dedup_key=slo-co",
                            server={"PAGERDUTY_ROUTING_KEY": ROUTING_KEY}).result()
    assert result["dedup_key"] == "slo-co" and result["status"] == "success"
    assert len(sim.incidents(incident_key="slo-co")) == 1


def load_job(name):
    import yaml
    with open(os.path.join(REPO, "docs", "rundeck", name)) as handle:
        [job] = yaml.safe_load(handle)
    return job


def substitute(text, values):
    """Rundeck's ${option.NAME} expansion (plain text substitution, as DataContextUtils does it)."""
    for name, value in values.items():
        text = text.replace("${option.%s}" % name, str(value))
    return text


def job_environment(job, values):
    """The job's non-secure options that have a value, exported by the plugin under their own names."""
    env = {}
    for option in job["options"]:
        value = values.get(option["name"], option.get("value"))
        if not option.get("secure") and value is not None:
            env[option["name"]] = str(value)
    return env


def check_documented_job(job):
    """The token in a Secure option backed by Key Storage, notify enabled, the step's configuration made only of
    properties its type declares (Rundeck drops the others), and no job option but the token substituted into it:
    the other options reach Ansible as environment variables, as typed."""
    options = dict((o["name"], o) for o in job["options"])
    token = options["pd_api_token"]
    assert token["secure"] is True and token["valueExposed"] is True and token["storagePath"].startswith("keys/")
    assert options["ANSIBLE_CALLBACKS_ENABLED"]["value"].split(",")[-1] == "oncall.pagerduty.notify"
    step = job["sequence"]["commands"][0]
    config = step["configuration"]
    assert set(config) <= DECLARED[step["type"]], set(config) - DECLARED[step["type"]]
    text = "\n".join(str(value) for value in config.values())
    assert re.findall(r"\$\{option\.([A-Za-z0-9_]+)\}", text) == ["pd_api_token"], text
    assert "${option.pd_api_token}" not in config.get("ansible-module-args", "")
    inventory_hosts = [line.split()[0] for line in config["ansible-inventory-inline"].splitlines()
                       if line.strip() and not line.startswith("[")]
    assert job["nodefilters"]["filter"] == "name: %s" % NODE and inventory_hosts == [NODE], \
        "the plugin limits Ansible to the job's node (-l): the inline inventory must name it"
    return step, config


def test_the_documented_module_step_job_runs(rundeck, sim):
    """docs/rundeck/module-step-job.yaml, expanded as Rundeck expands it and run as the 4.x plugin runs it: the token
    from the inline inventory, the note from the environment, exactly as typed."""
    job = load_job("module-step-job.yaml")
    step, config = check_documented_job(job)
    assert step["type"] == "com.batix.rundeck.plugins.AnsibleModuleWorkflowStep"
    assert "{{ pd_api_token }}" in config["ansible-module-args"]
    incident = sim.create_incident()
    values = {"pd_incident_id": incident["incident_number"], "pd_note": AWKWARD, "pd_api_token": ADMIN_TOKEN}
    server = {"PAGERDUTY_FROM_EMAIL": ADMIN_EMAIL, "PAGERDUTY_ROUTING_KEY": ROUTING_KEY}
    run = rundeck.step(job, values, server=server)
    assert run.result()["changed"] is True
    assert notes(sim, incident["id"]) == [AWKWARD]
    assert [e["event_action"] for e in alerts(sim)] == ["resolve"], "notify ran (a success resolves the job's alert)"
    for note in ("no", "#123 reverted"):
        rundeck.step(job, dict(values, pd_note=note), server=server)
    assert notes(sim, incident["id"]) == [AWKWARD, "no", "#123 reverted"]
    failed = rundeck.step(job, dict(values, pd_incident_id="PNOTHERE"), server=server, expect_rc=2)
    assert "Incident PNOTHERE not found" in failed.result()["msg"]
    assert [e["event_action"] for e in alerts(sim)] == ["resolve", "resolve", "resolve", "trigger"]


def test_the_documented_playbook_step_job_runs(rundeck, sim):
    """docs/rundeck/playbook-step-job.yaml, expanded and run as the plugin runs it (the token in vault-encrypted
    extra variables, the other options in the environment); the next step's ${data.*} come from the set_stats line
    the ansible-set-stats log filter reads."""
    job = load_job("playbook-step-job.yaml")
    step, config = check_documented_job(job)
    assert step["type"] == "com.batix.rundeck.plugins.AnsiblePlaybookWorkflowStep"
    assert config["ansible-encrypt-extra-vars"] == "true"
    assert [f["type"] for f in step["plugins"]["LogFilter"]] == ["ansible-set-stats"]
    incident = sim.create_incident()
    values = {"pd_incident_id": incident["id"], "pd_status": "resolved", "pd_resolution": AWKWARD,
              "pd_assignees": "", "pd_priority": "", "pd_api_token": ADMIN_TOKEN}
    server = {"PAGERDUTY_FROM_EMAIL": ADMIN_EMAIL, "PAGERDUTY_ROUTING_KEY": ROUTING_KEY}
    run = rundeck.step(job, values, server=server)
    data = [json.loads(m.group(1)) for m in (re.match(r"^\tRUN:\s(\{.*\})$", line) for line in run.stdout.splitlines())
            if m]
    assert len(data) == 1 and data[0]["pd_incident_status"] == "resolved"
    assert [e["note"] for e in sim.log_entries(incident["id"]) if e["type"] == "resolve_log_entry"] == [AWKWARD]
    next_step = job["sequence"]["commands"][1]["exec"]
    for name, value in data[0].items():
        next_step = next_step.replace("${data.%s}" % name, str(value))
    assert next_step == 'echo "Incident %s is resolved"' % incident["incident_number"]
    assert [e["event_action"] for e in alerts(sim)] == ["resolve"]
    other = sim.create_incident()
    rundeck.step(job, dict(values, pd_incident_id=other["id"], pd_resolution="no"), server=server)
    assert [e["note"] for e in sim.log_entries(other["id"]) if e["type"] == "resolve_log_entry"] == ["no"]
