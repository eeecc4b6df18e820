"""Unit tests of the notify callback's state directory: spool and duration history."""

import json
import os
import stat
import threading

import notify_fakes
import pytest

from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_state import (
    StateError, StateStore, key_fingerprint)

KEY = "pdsimroutingkeycheckoutapi000001"


def spooled(directory, key=KEY):
    """The ids of the spool file's entries for this routing key, in order (the file as the next run reads it)."""
    return [entry["id"] for entry in notify_fakes.spooled(directory, key)]


def entry(number, key=KEY, created=1000.0):
    return {"id": "id-%d" % number, "created": created, "key": key_fingerprint(key),
            "event": {"event_action": "trigger", "dedup_key": "k%d" % number}}


def test_fingerprint_is_stable_short_and_not_the_key():
    fingerprint = key_fingerprint(KEY)
    assert fingerprint == key_fingerprint(KEY) and fingerprint.startswith("sha256:") and len(fingerprint) == 23
    assert KEY not in fingerprint and key_fingerprint("x" * 32) != fingerprint


def test_spool_keeps_order_and_separates_keys(tmp_path):
    state = tmp_path / "state"
    store = StateStore(str(state))
    assert spooled(state) == []
    other = entry(9, key="y" * 32)
    store.update_spool(append=[entry(1), other, entry(2)])
    assert spooled(state) == ["id-1", "id-2"]
    assert spooled(state, "y" * 32) == ["id-9"]
    # appending an entry already there does not duplicate it; removing keeps the rest in order
    store.update_spool(remove_ids=["id-1"], append=[entry(2), entry(3)])
    assert spooled(state) == ["id-2", "id-3"]
    assert KEY not in (tmp_path / "state" / "spool.json").read_text()


def test_spool_limits(tmp_path):
    now = [10000.0]
    store = StateStore(str(tmp_path), clock=lambda: now[0])
    count, discarded = store.update_spool(append=[entry(n, created=9000.0 + n) for n in range(5)], max_events=3)
    assert (count, discarded) == (3, 2)
    assert spooled(tmp_path) == ["id-2", "id-3", "id-4"]
    count, discarded = store.update_spool(max_age=996.5)
    assert (count, discarded) == (1, 2)


def test_files_are_private(tmp_path):
    store = StateStore(str(tmp_path / "state"))
    store.update_spool(append=[entry(1)])
    store.record_duration("k", 1.0)
    assert stat.S_IMODE(os.stat(str(tmp_path / "state")).st_mode) == 0o700
    for name in ("spool.json", "history.json"):
        assert stat.S_IMODE(os.stat(str(tmp_path / "state" / name)).st_mode) == 0o600


def test_damaged_spool_is_set_aside(tmp_path):
    store = StateStore(str(tmp_path), clock=lambda: 1234.0)
    (tmp_path / "spool.json").write_text("{not json")
    assert store.claim(key_fingerprint(KEY)) == [] and not store.claiming
    assert (tmp_path / "spool.json.damaged-1234").read_text() == "{not json"


def test_history_keeps_the_last_runs_and_forgets_old_playbooks(tmp_path):
    now = [0.0]
    store = StateStore(str(tmp_path), clock=lambda: now[0])
    for seconds in (1, 2, 3, 4):
        store.record_duration("a", seconds, keep=3)
    assert store.durations("a") == [2.0, 3.0, 4.0]
    assert store.durations("unknown") == []
    for number in range(5):
        now[0] += 1
        store.record_duration("p%d" % number, 1.0, max_keys=3)
    runs = json.loads((tmp_path / "history.json").read_text())["runs"]
    assert sorted(runs) == ["p2", "p3", "p4"]


def test_concurrent_writers_lose_nothing(tmp_path):
    store = StateStore(str(tmp_path))

    def write(base):
        for number in range(base, base + 20):
            store.update_spool(append=[entry(number)], max_events=1000)
    threads = [threading.Thread(target=write, args=(base,)) for base in (0, 100, 200)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(spooled(tmp_path)) == 60


def test_unusable_directory_is_a_state_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StateError, match="cannot create"):
        StateStore(str(blocker / "state")).claim("x")


def claim_files(directory):
    return sorted(path.name for path in directory.iterdir() if path.name.startswith("claimed-"))


def test_claimed_entries_are_not_sent_by_another_run_and_go_back_unless_delivered(tmp_path):
    first, second = StateStore(str(tmp_path)), StateStore(str(tmp_path))
    other_key = entry(9, key="y" * 32)
    first.update_spool(append=[entry(1), other_key, entry(2)])
    claimed = first.claim(key_fingerprint(KEY))
    assert [e["id"] for e in claimed] == ["id-1", "id-2"] and first.claiming
    assert len(claim_files(tmp_path)) == 1 and KEY not in (tmp_path / claim_files(tmp_path)[0]).read_text()
    # a run started meanwhile finds nothing to send for this key, and leaves the other key's entry alone
    assert second.claim(key_fingerprint(KEY)) == [] and not second.claiming
    assert spooled(tmp_path, "y" * 32) == ["id-9"]
    # id-1 was delivered; id-2 was not, and a newer event of this run was not either
    first.update_spool(append=[entry(2), entry(3, created=2000.0)])
    assert not first.claiming and claim_files(tmp_path) == []
    assert [e["id"] for e in second.claim(key_fingerprint(KEY))] == ["id-2", "id-3"]


def test_entries_put_back_keep_the_order_they_were_made_in(tmp_path):
    first, second = StateStore(str(tmp_path)), StateStore(str(tmp_path))
    first.update_spool(append=[entry(1, created=100.0)])
    first.claim(key_fingerprint(KEY))
    second.update_spool(append=[entry(2, created=200.0)])       # spooled by another run meanwhile
    first.update_spool(append=[entry(1, created=100.0)])        # not delivered: back before the newer one
    assert spooled(tmp_path) == ["id-1", "id-2"]


def test_claim_of_a_run_that_died_goes_back_to_the_spool(tmp_path):
    dead, later = StateStore(str(tmp_path)), StateStore(str(tmp_path))
    dead.update_spool(append=[entry(1), entry(9, key="y" * 32)])
    assert len(dead.claim(key_fingerprint(KEY))) == 1
    assert later.claim(key_fingerprint(KEY)) == []           # alive: its claim is respected
    dead.forget_claim_in_child()   # the process is gone: its descriptor, and with it the lock, closed
    assert [e["id"] for e in later.claim(key_fingerprint(KEY))] == ["id-1"]
    assert len(claim_files(tmp_path)) == 1, "only the new claim is left"
    assert spooled(tmp_path, "y" * 32) == ["id-9"]


# (the child only writes, reads and exits: the sender threads other tests left behind cannot deadlock it)
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded")
def test_a_forked_child_does_not_keep_a_claim_alive(tmp_path):
    parent, later = StateStore(str(tmp_path)), StateStore(str(tmp_path))
    parent.update_spool(append=[entry(1)])
    parent.claim(key_fingerprint(KEY))
    release_read, release_write = os.pipe()
    ready_read, ready_write = os.pipe()
    child = os.fork()
    if child == 0:                                  # an Ansible worker: outlives its parent for a while
        os.close(release_write)
        os.write(ready_write, b"r")
        os.read(release_read, 1)
        os._exit(0)
    os.close(release_read)
    os.close(ready_write)
    try:
        assert os.read(ready_read, 1) == b"r"
        parent.forget_claim_in_child()                      # the parent dies while the child still runs
        assert [e["id"] for e in later.claim(key_fingerprint(KEY))] == ["id-1"]
    finally:
        os.close(release_write)
        os.close(ready_read)
        os.waitpid(child, 0)


def test_the_lock_waits_for_another_holder_and_then_gives_up(tmp_path):
    holder, waiting = StateStore(str(tmp_path)), StateStore(str(tmp_path), lock_timeout=0.2)
    with holder.locked():
        with pytest.raises(StateError, match="stayed locked by another run"):
            waiting.update_spool(append=[entry(1)])
    assert waiting.update_spool(append=[entry(1)]) == (1, 0)
