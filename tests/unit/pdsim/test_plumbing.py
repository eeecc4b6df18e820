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
