"""Unit tests of the notify callback's options: defaults, bad values (a warning and the default), the routing key."""

import pytest

from notify_fakes import KEY, config

from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_config import NotifyOff


def test_the_documented_defaults():
    warnings = []
    defaults = config(warnings=warnings)
    assert warnings == []
    assert defaults.routing_key == KEY
    assert defaults.client_options == dict(region="us", events_url=None, timeout=5.0, max_retry_wait=5.0,
                                           validate_certs=True)
    assert (defaults.on_failure, defaults.on_success, defaults.on_start, defaults.on_avg_duration,
            defaults.on_retry) == (True, True, False, False, False)
    assert (defaults.failure_severity, defaults.start_severity, defaults.avg_duration_severity,
            defaults.retry_severity) == ("error", "info", "warning", "warning")
    assert (defaults.summary, defaults.source, defaults.component, defaults.group, defaults.event_class,
            defaults.dedup_key) == ("{message}", "{controller}", None, None, "{trigger}", None)
    assert (defaults.images, defaults.links, defaults.custom_details) == ([], [], {})
    assert defaults.delivery_timeout == 10.0 and defaults.spool_max_age == 168 * 3600
    assert (defaults.avg_duration_factor, defaults.avg_duration_min_seconds, defaults.avg_duration_min_runs,
            defaults.avg_duration_history) == (1.5, 60.0, 3, 10)
    assert (defaults.spool_max_events, defaults.max_message_length) == (100, 500)
    assert defaults.state_dir == "~/.ansible/pagerduty_notify"


@pytest.mark.parametrize("routing_key, message", [
    (None, "no routing key (set PAGERDUTY_ROUTING_KEY, or routing_key in the [callback_pagerduty_notify] section"),
    ("", "no routing key"),
    ("tooshort", "routing_key must be the 32-character integration key"),
    ("x" * 31 + "!", "routing_key must be the 32-character integration key"),
])
def test_without_a_usable_routing_key_the_callback_is_off(routing_key, message):
    with pytest.raises(NotifyOff) as raised:
        config(routing_key=routing_key)
    assert str(raised.value).startswith(message)
    if routing_key:
        assert routing_key not in str(raised.value), "the key is never printed"


def test_the_routing_key_is_stripped():
    assert config(routing_key="  %s\n" % KEY).routing_key == KEY


def test_severities_are_checked_and_case_insensitive():
    warnings = []
    checked = config(warnings=warnings, failure_severity="CRITICAL", retry_severity="loud")
    assert checked.failure_severity == "critical" and checked.retry_severity == "warning"
    assert warnings == ["retry_severity must be one of critical, error, warning, info, got 'loud'; using warning"]


def test_a_bad_template_gives_a_warning_and_the_default():
    warnings = []
    checked = config(warnings=warnings, summary="[prod] {nope}", group="{failed_count} of {host_count}",
                     source="", dedup_key="deploy-{task}")
    assert checked.summary == "{message}" and checked.group == "{failed_count} of {host_count}"
    assert checked.source == "{controller}", "empty means the default, without a warning"
    assert checked.dedup_key is None, "the dedup key may use only the fields known at the start"
    assert len(warnings) == 2
    assert warnings[0].startswith("summary: unknown field {nope} in '[prod] {nope}'") and \
        warnings[0].endswith("; using the default")
    assert warnings[1].startswith("dedup_key: unknown field {task} in 'deploy-{task}'; known fields: playbook, ")


def test_bad_images_links_and_custom_details_are_ignored_with_a_warning():
    warnings = []
    checked = config(warnings=warnings, images="ftp://example.com/a.png", links="https://runbooks.example.com/a",
                     custom_details="[1, 2]")
    assert checked.images == [] and checked.custom_details == {}
    assert checked.links == [{"href": "https://runbooks.example.com/a"}]
    assert len(warnings) == 2
    assert warnings[0].startswith("images") and warnings[0].endswith("; ignoring images")
    assert warnings[1] == "custom_details must be a JSON object (not a JSON object); ignoring it"
    warnings[:] = []
    assert config(warnings=warnings, custom_details="{not json").custom_details == {}
    assert warnings[0].startswith("custom_details must be a JSON object (Expecting property name")


def test_custom_details_as_json_or_as_a_mapping():
    assert config(custom_details='{"team": "checkout"}').custom_details == {"team": "checkout"}
    assert config(custom_details={"team": "checkout"}).custom_details == {"team": "checkout"}


def test_numbers_are_kept_within_bounds():
    checked = config(max_retry_wait=-1, delivery_timeout=-5, avg_duration_factor=-1, avg_duration_min_seconds=-1,
                     avg_duration_min_runs=0, avg_duration_history=0, spool_max_events=0, spool_max_age=-1,
                     max_message_length=5, timeout="2.5")
    assert (checked.max_retry_wait, checked.delivery_timeout, checked.avg_duration_factor,
            checked.avg_duration_min_seconds) == (0.0, 0.0, 0.0, 0.0)
    assert (checked.avg_duration_min_runs, checked.avg_duration_history, checked.spool_max_events) == (1, 1, 1)
    assert checked.spool_max_age == 0.0 and checked.max_message_length == 20 and checked.timeout == 2.5


def test_a_value_that_is_no_number_is_an_error():
    with pytest.raises(ValueError):
        config(avg_duration_min_runs="many")
