"""Integration tests: real ``ansible-playbook`` and ``ansible -m`` runs against the PagerDuty simulator.

Each pytest worker starts its own simulator (contract validation required) and
resets it before every test; tests that run a module in-process (the fault
matrix) use a simulator served by a thread of the worker instead (``local_sim``).  After every test, what the simulator logged and
kept (its request log, the events it received and the webhooks it sent) is scanned for the secrets
the tests use.  See ``pd_harness.py``.
"""

import json

import pytest

from pd_harness import Ansible, Simulator, leaked_secrets


@pytest.fixture(scope="session")
def simulator():
    sim = Simulator()
    yield sim
    sim.stop()


def assert_nothing_kept_secrets(simulator):
    kept = json.dumps(simulator.requests()) + json.dumps(simulator.events()) + json.dumps(
        simulator.webhooks(wait=False))
    leaked = leaked_secrets(kept)
    if leaked:  # (not an assert: pytest would print the secrets it compared)
        pytest.fail("the simulator's request log or events hold %d secret(s)" % len(leaked))


@pytest.fixture
def sim(simulator):
    simulator.reset()
    yield simulator
    assert_nothing_kept_secrets(simulator)


@pytest.fixture(scope="session")
def in_process_simulator():
    """A simulator served by a thread of this worker, for the modules run in-process (see in_process.py)."""
    sim = Simulator(in_process=True)
    yield sim
    sim.stop()


@pytest.fixture
def local_sim(in_process_simulator):
    in_process_simulator.reset()
    yield in_process_simulator
    assert_nothing_kept_secrets(in_process_simulator)


@pytest.fixture
def ansible(sim, tmp_path):
    return Ansible(sim, tmp_path)


# -- the representative subset that `tests/run oldest-core` runs on ansible-core 2.16 --------------------------
# Each module changed, unchanged and in check mode; the callback's main paths (signals and Ctrl-C included,
# which ansible-core changed across versions); each ready playbook; the Rundeck command lines. The rest of the
# suite tests our own code, which does not depend on the version of ansible-core.
OLDEST_CORE = {
    "test_pd_incident.py": ["test_status", "test_adhoc_with_check_and_diff", "test_create_is_idempotent_on_incident_key",
                            "test_check_mode_reassignments_write_nothing_and_show_the_change"],
    "test_pd_incident_note.py": ["test_note_playbook", "test_note_adhoc_by_incident_number"],
    "test_pd_incident_responder.py": ["test_responders_playbook"],
    "test_pd_incident_actions.py": ["test_workflow_starts_each_run_and_never_in_check_mode", "test_status_update"],
    "test_pd_incident_triage.py": ["test_merge_playbook", "test_snooze_playbook"],
    "test_pd_incidents.py": ["test_an_alert_storm_resolved_in_batches_of_250_once",
                             "test_check_mode_reads_and_writes_nothing"],
    "test_pd_incident_info.py": ["test_one_incident_with_its_first_trigger_notes_and_log",
                                 "test_list_filters_across_pages"],
    "test_pd_event.py": ["test_lifecycle", "test_adhoc_check_mode_sends_nothing", "test_module_defaults_group",
                         "test_secrets_stay_hidden_at_high_verbosity"],
    "test_pd_change_event.py": ["test_change_event_playbook", "test_change_event_adhoc"],
    "test_pd_user.py": ["test_lifecycle", "test_check_mode_writes_nothing_and_reports_the_change"],
    "test_pd_user_info.py": ["test_lookup_by_email_is_one_request", "test_check_mode_is_supported_and_reads_only"],
    "test_pd_maintenance_window.py": ["test_window_playbook", "test_adhoc_rerun_is_one_read_and_ends_by_id"],
    "test_pd_oncall_info.py": ["test_who_is_on_call_for_a_service_costs_one_listing_and_one_name"],
    "test_pd_schedule_override.py": ["test_cover_playbook", "test_check_mode_writes_nothing"],
    "test_lookup_oncall.py": ["test_a_play_asks_each_question_once", "test_a_bad_name_is_one_line"],
    "test_callback_notify.py": ["test_failures_group_into_one_alert_and_success_resolves_it",
                                "test_start_event_is_triggered_first_and_resolved_at_the_end",
                                "test_retry_of_an_until_task_triggers_once",
                                "test_check_runs_never_resolve_and_partial_runs_stay_out_of_the_history",
                                "test_run_stopped_by_a_signal_triggers_the_failure_alert",
                                "test_ctrl_c_while_the_end_of_the_run_waits_spools_and_keeps_the_exit_code",
                                "test_no_log_result_and_routing_key_never_leave", "test_options_from_ansible_cfg",
                                "test_adhoc_command"],
    "test_playbooks.py": ["test_incident_note", "test_incident_update_then_resolve",
                          "test_incident_update_in_check_mode_writes_nothing",
                          "test_incident_status_with_stakeholder_message", "test_incident_escalate",
                          "test_incident_escalation_policy_by_name", "test_incident_get", "test_incident_responders",
                          "test_incident_workflow", "test_incidents_bulk", "test_send_event_trigger_then_resolve",
                          "test_send_change_event",
                          "test_user_lifecycle", "test_maintenance_window", "test_oncall_get",
                          "test_schedule_override",
                          "test_deploy_in_maintenance_that_fails_its_health_check_fails_the_play_and_still_ends_the_window",
                          "test_inputs_from_the_environment_as_rundeck_passes_job_options",
                          "test_the_collection_playbooks_run_by_name"],
    "test_rundeck.py": ["test_token_from_the_environment", "test_notify_with_the_3x_command_line_and_ansible_cfg",
                        "test_the_documented_module_step_job_runs", "test_the_documented_playbook_step_job_runs"],
    "test_fault_matrix.py": ["test_through_ansible_one_fault_is_survived_and_the_write_lands_once"],
    "test_pd_webhook_subscription.py": ["test_lifecycle_playbook", "test_adhoc_create_unchanged_check_and_diff"],
}


def pytest_configure(config):
    config.addinivalue_line("markers", "oldest_core: in the subset run on the oldest supported ansible-core")
    config.addinivalue_line("markers", "in_process: runs modules in-process against a threaded simulator "
                                       "(tests/run's in-process stage), no Ansible process")


def pytest_collection_modifyitems(config, items):
    found = set()
    for item in items:
        if "local_sim" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.in_process)
        name = item.originalname if hasattr(item, "originalname") else item.name
        if name in OLDEST_CORE.get(item.path.name, ()):
            item.add_marker(pytest.mark.oldest_core)
            found.add((item.path.name, name))
    collected = set(item.path.name for item in items)
    missing = [(path, name) for path, names in OLDEST_CORE.items() if path in collected
               for name in names if (path, name) not in found]
    if missing:
        raise pytest.UsageError("OLDEST_CORE names tests that do not exist: %s" % missing)
