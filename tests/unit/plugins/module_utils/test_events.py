"""Unit tests of Events API v2 body building and validation."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils.events import (
    EventValidationError, build_alert_event, build_change_event, parse_images, parse_links)

KEY = "pdsimroutingkeycheckoutapi000001"


def trigger(**kwargs):
    options = dict(summary="Disk full", source="db1", severity="critical")
    options.update(kwargs)
    return build_alert_event(KEY, "trigger", **options)


def test_trigger_body():
    event = trigger(dedup_key="disk-db1", component="pg", group="db", event_class="disk",
                    custom_details={"free": "1%"}, client="Ansible", client_url="https://awx.example.com/jobs/1",
                    timestamp="2026-11-23T08:42:58.315+00:00")
    assert event == {
        "routing_key": KEY, "event_action": "trigger", "dedup_key": "disk-db1",
        "payload": {"summary": "Disk full", "source": "db1", "severity": "critical", "component": "pg",
                    "group": "db", "class": "disk", "custom_details": {"free": "1%"},
                    "timestamp": "2026-11-23T08:42:58.315+00:00"},
        "client": "Ansible", "client_url": "https://awx.example.com/jobs/1",
    }


def test_trigger_without_dedup_key_gets_a_fresh_one():
    first, second = trigger(), trigger()
    assert len(first["dedup_key"]) == 32 and first["dedup_key"] != second["dedup_key"]


def test_acknowledge_and_resolve_need_only_the_key():
    expected = {"routing_key": KEY, "event_action": "resolve", "dedup_key": "k"}
    assert build_alert_event(KEY, "resolve", dedup_key="k") == expected


@pytest.mark.parametrize("kwargs, message", [
    (dict(summary=None), "event_action=trigger requires summary"),
    (dict(severity=None, source=None), "requires source, severity"),
    (dict(severity="fatal"), "severity must be one of critical, error, warning, info, got 'fatal'"),
    (dict(summary="x" * 1025), "summary is 1025 characters; PagerDuty allows at most 1024"),
    (dict(dedup_key="k" * 256), "dedup_key is 256 characters"),
    (dict(timestamp="yesterday"), "timestamp must be an ISO 8601 date and time"),
    (dict(images=["http://insecure.example.com/a.png"]), r"images\[0\].src must be an https:// URL"),
    (dict(images=[{"href": "https://x.example.com"}]), r"images\[0\] needs a src"),
    (dict(links=[{"url": "https://x.example.com"}]), r"links\[0\] needs an href"),
    (dict(links="ftp://x.example.com"), r"links\[0\].href must be an http\(s\):// URL"),
    (dict(client_url="not a url"), "client_url must be an http"),
    (dict(custom_details={"blob": "x" * (512 * 1024)}), "PagerDuty accepts at most 512 KB"),
    (dict(custom_details="text"), "custom_details must be a dictionary"),
])
def test_trigger_validation(kwargs, message):
    with pytest.raises(EventValidationError, match=message):
        trigger(**kwargs)


@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
def test_ack_and_resolve_need_a_dedup_key(action):
    with pytest.raises(EventValidationError, match="event_action=%s requires dedup_key" % action):
        build_alert_event(KEY, action)


@pytest.mark.parametrize("key, message", [
    (None, "routing_key is required"),
    ("short", "32-character integration key .* has 5 characters"),
    ("x" * 31 + "!", "32-character"),
])
def test_routing_key_is_checked_without_echoing_it(key, message):
    with pytest.raises(EventValidationError, match=message) as caught:
        build_alert_event(key, "trigger", summary="s", source="s", severity="info")
    if key:
        assert key not in str(caught.value)


def test_unknown_action():
    with pytest.raises(EventValidationError, match="event_action must be one of trigger, acknowledge, resolve"):
        build_alert_event(KEY, "escalate", dedup_key="k")


def test_images_and_links_rundeck_strings():
    assert parse_images("https://a.example.com/1.png, https://a.example.com/2.png") == [
        {"src": "https://a.example.com/1.png"}, {"src": "https://a.example.com/2.png"}]
    assert parse_links(["https://a.example.com", {"href": "https://b.example.com", "text": "B"}]) == [
        {"href": "https://a.example.com"}, {"href": "https://b.example.com", "text": "B"}]
    with pytest.raises(EventValidationError, match=r"images\[0\] has unknown keys size"):
        parse_images([{"src": "https://a.example.com/1.png", "size": 3}])


def test_change_event():
    event = build_change_event(KEY, "Deployed 1.2", source="ci", timestamp="2026-11-23T08:00:00Z",
                               custom_details={"v": "1.2"}, links="https://git.example.com/r/1.2")
    assert event == {"routing_key": KEY, "payload": {"summary": "Deployed 1.2", "source": "ci",
                                                     "timestamp": "2026-11-23T08:00:00Z",
                                                     "custom_details": {"v": "1.2"}},
                     "links": [{"href": "https://git.example.com/r/1.2"}]}
    assert build_change_event(KEY, "x")["payload"]["timestamp"].endswith("Z")
    with pytest.raises(EventValidationError, match="summary is required"):
        build_change_event(KEY, "")


@pytest.mark.parametrize("timestamp, sent", [
    ("2026-11-23T08:42:58Z", "2026-11-23T08:42:58Z"),
    ("2026-11-23t08:42:58z", "2026-11-23T08:42:58Z"),
    ("2026-11-23T08:42:58.315+0000", "2026-11-23T08:42:58.315+00:00"),
    ("2026-11-23T09:42:58.5+01:00", "2026-11-23T09:42:58.5+01:00"),
    ("2026-11-23 08:42:58-05:30", "2026-11-23T08:42:58-05:30"),
    ("2026-11-23T08:42Z", "2026-11-23T08:42:00Z"),
    ("2024-02-29T23:59:59.999999+14:00", "2024-02-29T23:59:59.999999+14:00"),
])
def test_real_timestamps_with_a_zone_are_sent_in_rfc3339_form(timestamp, sent):
    """ISO 8601 forms that RFC 3339 (and so PagerDuty's Events API) refuses are rewritten, not refused."""
    assert trigger(timestamp=timestamp)["payload"]["timestamp"] == sent
    assert build_change_event(KEY, "x", timestamp=timestamp)["payload"]["timestamp"] == sent


@pytest.mark.parametrize("timestamp", [
    "2026-13-45T99:99:00Z",          # no such month, day, hour or minute
    "2026-02-30T08:00:00Z",          # no such day
    "2025-02-29T08:00:00Z",          # not a leap year
    "2026-11-23T08:42:61Z",          # no such second
    "2026-11-23T08:42:58",           # no zone: PagerDuty would have to guess it
    "2026-11-23T08:42:58+25:00",     # no such offset
    "2026-11-23",                    # no time
    "2026-11-23T08:42:58Z trailing",
])
def test_impossible_or_zoneless_timestamps_fail_before_sending(timestamp):
    for build in (lambda: trigger(timestamp=timestamp), lambda: build_change_event(KEY, "x", timestamp=timestamp)):
        with pytest.raises(EventValidationError) as raised:
            build()
        message = str(raised.value)
        assert message.startswith("timestamp must be an ISO 8601 date and time with a time zone")
        assert message.endswith("got %r" % timestamp) and "\n" not in message
