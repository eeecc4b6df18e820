"""Unit tests of the notify callback's background sender, with a fake send function."""

import threading
import time

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils.client import PagerDutyAPIError, PagerDutyRetryError
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_sender import EventSender

KEY = "pdsimroutingkeycheckoutapi000001"


def entry(number):
    return {"id": "id-%d" % number, "created": 0, "key": "sha256:x", "event": {"dedup_key": "k%d" % number}}


class FakePagerDuty(object):
    def __init__(self, failures=None, gate=None):
        self.sent = []
        self.failures = failures or {}
        self.gate = gate

    def __call__(self, event):
        if self.gate is not None:
            self.gate.wait()
        self.sent.append(event)
        failure = self.failures.get(event["dedup_key"])
        if failure:
            raise failure
        return {"status": "success"}


def api_error(status):
    return PagerDutyAPIError(status, "POST", "https://events.example.com/v2/enqueue", "/v2/enqueue", api="events",
                             message="invalid event", errors=["Invalid routing key"])


def test_sends_in_order_with_the_routing_key_added_only_when_sending():
    fake = FakePagerDuty()
    sender = EventSender(fake, KEY)
    entries = [entry(n) for n in range(5)]
    for item in entries:
        sender.put(item)
    assert sender.wait(5) is True
    assert [e["dedup_key"] for e in fake.sent] == ["k0", "k1", "k2", "k3", "k4"]
    assert all(e["routing_key"] == KEY for e in fake.sent)
    assert all("routing_key" not in item["event"] for item in entries)
    assert sender.delivered == ["id-%d" % n for n in range(5)] and sender.undelivered() == []


def test_refused_event_is_dropped_and_the_rest_go_on():
    fake = FakePagerDuty(failures={"k1": api_error(400)})
    sender = EventSender(fake, KEY)
    for number in range(3):
        sender.put(entry(number))
    assert sender.wait(5) is True
    assert sender.delivered == ["id-0", "id-2"]
    (refused, reason), = sender.refused
    assert refused["id"] == "id-1" and "Invalid routing key" in reason


def retry_error(status=503):
    return PagerDutyRetryError("POST", "/v2/enqueue", 3, 1.5, api_error(status))


def test_transient_failure_holds_the_queue_in_order_until_the_next_try():
    gate = threading.Event()
    fake = FakePagerDuty(failures={"k1": retry_error()}, gate=gate)
    sender = EventSender(fake, KEY, retry_pause=0.05)
    for number in range(3):     # all queued before k0 is answered, so no put() is a next try of k1
        sender.put(entry(number))
    gate.set()
    # k1 failed: k2 waits behind it, nothing is sent out of order (the fake records k1 before the sender sees it fail)
    assert _until(lambda: len(fake.sent) == 2 and sender.failure is not None)
    assert [e["dedup_key"] for e in fake.sent] == ["k0", "k1"] and sender.delivered == ["id-0"]
    assert sender.failure.startswith("Gave up on POST /v2/enqueue after 3 attempts")
    # PagerDuty is back: the next event queued is the next try, of k1 first
    del fake.failures["k1"]
    sender.put(entry(3))
    assert sender.wait(5) is True
    assert [e["dedup_key"] for e in fake.sent] == ["k0", "k1", "k1", "k2", "k3"]
    assert sender.delivered == ["id-0", "id-1", "id-2", "id-3"] and sender.undelivered() == []


def test_wait_tries_again_until_its_time_runs_out():
    class Recovering(FakePagerDuty):
        def __call__(self, event):
            if len(self.sent) < 3:
                self.sent.append(event)
                raise retry_error()
            return super(Recovering, self).__call__(event)
    fake = Recovering()
    sender = EventSender(fake, KEY, retry_pause=0.05)
    sender.put(entry(0))
    sender.put(entry(1))
    assert _until(lambda: len(fake.sent) == 1)
    assert sender.wait(5) is True
    assert [e["dedup_key"] for e in fake.sent] == ["k0"] * 4 + ["k1"]
    assert sender.delivered == ["id-0", "id-1"]


def test_wait_gives_up_on_a_lasting_failure_and_gives_back_everything_in_order():
    fake = FakePagerDuty(failures={"k1": retry_error()})
    sender = EventSender(fake, KEY, retry_pause=0.05)
    for number in range(3):
        sender.put(entry(number))
    assert sender.wait(0.5) is False
    assert sender.stopped and sender.failure.startswith("Gave up on POST /v2/enqueue")
    assert [e["id"] for e in sender.undelivered()] == ["id-1", "id-2"]
    assert len([e for e in fake.sent if e["dedup_key"] == "k1"]) > 2, "tried again while the wait lasted"
    sender.put(entry(9))        # stopped for good: nothing more is sent
    assert sender.wait(1) is False and [e["id"] for e in sender.undelivered()] == ["id-9"]


@pytest.mark.parametrize("status", [404, 401, 405])
def test_an_answer_that_retrying_cannot_fix_soon_stops_the_sender_and_keeps_the_events(status):
    fake = FakePagerDuty(failures={"k0": api_error(status)})
    sender = EventSender(fake, KEY, retry_pause=0.05)
    sender.put(entry(0))
    sender.put(entry(1))
    assert sender.wait(5) is False
    assert [e["id"] for e in sender.undelivered()] == ["id-0", "id-1"] and sender.refused == []
    assert sender.failure_status == status and len(fake.sent) == 1


@pytest.mark.parametrize("status", [400, 413])
def test_events_pagerduty_refuses_for_good_are_dropped(status):
    fake = FakePagerDuty(failures={"k0": api_error(status)})
    sender = EventSender(fake, KEY)
    sender.put(entry(0))
    sender.put(entry(1))
    assert sender.wait(5) is True
    assert [refused["id"] for refused, _reason in sender.refused] == ["id-0"] and sender.delivered == ["id-1"]


def test_an_accepted_answer_with_an_error_status_is_a_refusal():
    class Answering(FakePagerDuty):
        def __call__(self, event):
            self.sent.append(event)
            if event["dedup_key"] == "k0":
                return {"status": "invalid event", "message": "Event object is invalid"}
            return {"status": "success", "message": "Event processed"}
    sender = EventSender(Answering(), KEY)
    sender.put(entry(0))
    sender.put(entry(1))
    assert sender.wait(5) is True
    (refused, reason), = sender.refused
    assert refused["id"] == "id-0" and reason == "invalid event: Event object is invalid"
    assert sender.delivered == ["id-1"]


def test_stop_gives_back_what_is_queued():
    gate = threading.Event()
    sender = EventSender(FakePagerDuty(gate=gate), KEY)
    sender.put(entry(0))
    sender.put(entry(1))
    sender.stop("interrupted")
    gate.set()
    assert sender.failure == "interrupted"
    assert [e["id"] for e in sender.undelivered()] == ["id-0", "id-1"]


def _until(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_wait_is_bounded_and_gives_back_the_event_in_flight():
    gate = threading.Event()
    fake = FakePagerDuty(gate=gate)
    sender = EventSender(fake, KEY)
    sender.put(entry(0))
    sender.put(entry(1))
    assert sender.wait(0.2) is False
    assert sender.failure == "PagerDuty did not answer within 0.2 s"
    assert [e["id"] for e in sender.undelivered()] == ["id-0", "id-1"]
    gate.set()   # the answer comes too late: it is not counted, nothing more is sent
    assert sender.stopped and sender.delivered == []
