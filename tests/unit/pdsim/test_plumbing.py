"""The plumbing every area shares: IDs, the clock and the lock."""

import datetime
import re

import pytest

from pdsim.model.core import Plumbing


def test_ids_are_pagerduty_shaped_unique_and_repeatable():
    ids = [Plumbing().new_id() for unused in range(2)]
    assert ids[0] == ids[1], "the same seed, the same first ID"
    plumbing = Plumbing()
    many = [plumbing.new_id() for unused in range(2000)]
    assert len(set(many)) == 2000 and all(re.match(r"^P[A-Z0-9]{6}$", i) for i in many)


def test_seeded_ids_are_claimed_once_and_never_handed_out():
    plumbing = Plumbing()
    first = Plumbing().new_id()
    assert plumbing.claim(first) == first
    assert plumbing.new_id() != first
    with pytest.raises(ValueError, match="duplicate id"):
        plumbing.claim(first)
    assert plumbing.seed_id({"id": "PSEED01"}) == "PSEED01" and plumbing.seed_id({}).startswith("P")


def test_the_clock_can_be_given():
    moment = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    plumbing = Plumbing(now=lambda: moment)
    assert plumbing.now() is moment and plumbing.timestamp() == "2026-01-02T01:04:05Z"


def test_the_clock_moves_forward_and_keeps_running_from_there():
    moment = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    clock = [moment]
    plumbing = Plumbing(now=lambda: clock[0])
    plumbing.advance(90)
    assert plumbing.timestamp() == "2026-01-02T03:05:35Z"
    clock[0] += datetime.timedelta(seconds=10)
    assert plumbing.timestamp() == "2026-01-02T03:05:45Z", "it keeps running"
    plumbing.set_now(datetime.datetime(2027, 6, 1, 0, 0, 0, tzinfo=datetime.timezone.utc))
    assert plumbing.timestamp() == "2027-06-01T00:00:00Z"


def test_scheduled_actions_run_once_when_due_in_the_order_they_fall_due():
    moment = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    plumbing = Plumbing(now=lambda: moment)
    ran = []
    later = plumbing.schedule(moment + datetime.timedelta(seconds=20), lambda: ran.append("later"))
    plumbing.schedule(moment + datetime.timedelta(seconds=10), lambda: ran.append("sooner"))
    cancelled = plumbing.schedule(moment + datetime.timedelta(seconds=5), lambda: ran.append("cancelled"))
    plumbing.cancel(cancelled)
    plumbing.cancel(None)
    assert plumbing.run_due() == 0 and ran == []
    plumbing.advance(15)
    assert plumbing.run_due() == 1 and ran == ["sooner"]
    plumbing.advance(60)
    assert plumbing.run_due() == 1 and ran == ["sooner", "later"]
    assert plumbing.run_due() == 0 and later is not None
