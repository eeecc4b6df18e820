# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The notify callback's state directory: the spool of undelivered events and the run-duration history.

For internal use by the ``oncall.pagerduty.notify`` callback only; not a public API.

Both files are JSON documents, written whole (to a temporary file, then renamed)
while holding an exclusive ``flock`` on a lock file beside them, so that several
``ansible-playbook`` runs sharing the directory (Rundeck runs jobs in parallel)
never see half a file or lose each other's changes.

The spool never holds a routing key: each event carries a fingerprint of the key
it was meant for, and is resent only by a run configured with that same key.

A run that takes spooled events to send them first claims them: under the lock
it moves them out of the spool into a claim file of its own (``claimed-*.json``),
which it keeps locked while it lives, so that a run started meanwhile does not
send them too.  At the end of the run, what it could not deliver goes back into
the spool.  A claim file whose lock is free belongs to a run that died (killed
with ``SIGKILL``, say): the next run puts its events back into the spool.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import binascii
import contextlib
import errno
import hashlib
import json
import os
import tempfile
import time
import weakref

try:
    import fcntl
    HAS_FCNTL = True
except ImportError:  # pragma: no cover - Ansible controllers are POSIX
    HAS_FCNTL = False

SPOOL_FILE = "spool.json"
HISTORY_FILE = "history.json"
LOCK_FILE = ".lock"
CLAIM_PREFIX = "claimed-"
CLAIM_SUFFIX = ".json"
FORMAT_VERSION = 1
MAX_HISTORY_KEYS = 1000


_CLAIMING = weakref.WeakSet()   # the stores of this process that hold a claim


def _forget_claims_in_child():
    for store in list(_CLAIMING):
        store.forget_claim_in_child()
    _CLAIMING.clear()


if hasattr(os, "register_at_fork"):
    # Ansible forks its workers: a worker outliving this process must not keep its claims locked.
    os.register_at_fork(after_in_child=_forget_claims_in_child)


def _unlink(path):
    try:
        os.unlink(path)
    except OSError:
        pass


class StateError(Exception):
    """The state directory cannot be used (permissions, a full disk, a lock held too long)."""


def key_fingerprint(routing_key):
    """A short one-way fingerprint of a routing key: enough to match spooled events to a key, useless to send them."""
    digest = hashlib.sha256(("oncall.pagerduty.notify:%s" % routing_key).encode("utf-8")).hexdigest()
    return "sha256:" + digest[:16]


class StateStore(object):
    """The spool and the duration history in one directory."""

    def __init__(self, directory, lock_timeout=5.0, clock=time.time):
        self.directory = os.path.abspath(os.path.expanduser(directory))
        self.lock_timeout = lock_timeout
        self._clock = clock
        self._claim = None          # (path, descriptor holding its lock) while this process holds claimed events

    @property
    def spool_path(self):
        return os.path.join(self.directory, SPOOL_FILE)

    @property
    def history_path(self):
        return os.path.join(self.directory, HISTORY_FILE)

    # -- files and locking -------------------------------------------------------
    def _ensure_directory(self):
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
        except OSError as exc:
            raise StateError("cannot create %s: %s" % (self.directory, exc.strerror or exc))

    @contextlib.contextmanager
    def locked(self):
        """Hold the directory's lock (waiting at most ``lock_timeout`` seconds)."""
        self._ensure_directory()
        path = os.path.join(self.directory, LOCK_FILE)
        try:
            handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StateError("cannot open %s: %s" % (path, exc.strerror or exc))
        try:
            if HAS_FCNTL:
                deadline = time.monotonic() + self.lock_timeout
                while True:
                    try:
                        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except OSError as exc:
                        if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                            raise StateError("cannot lock %s: %s" % (path, exc.strerror or exc))
                        if time.monotonic() >= deadline:
                            raise StateError("%s stayed locked by another run for %.0f s" % (path, self.lock_timeout))
                        time.sleep(0.05)
            yield
        finally:
            os.close(handle)  # closing the descriptor releases the lock

    def _read(self, path, default):
        try:
            with open(path, "r") as handle:
                data = json.load(handle)
        except (IOError, OSError) as exc:
            if exc.errno == errno.ENOENT:
                return default
            raise StateError("cannot read %s: %s" % (path, exc.strerror or exc))
        except ValueError:
            # A damaged file must not stop notifications: keep it aside for a human, start afresh.
            try:
                os.replace(path, "%s.damaged-%d" % (path, int(self._clock())))
            except OSError:
                pass
            return default
        if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
            return default
        return data

    def _write(self, path, data):
        self._ensure_directory()
        try:
            handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=self.directory)
            try:
                with os.fdopen(handle, "w") as out:
                    json.dump(data, out, indent=1, sort_keys=True)
                    out.write("\n")
                os.chmod(temporary, 0o600)
                os.replace(temporary, path)
            except BaseException:
                try:
                    os.unlink(temporary)
                except OSError:
                    pass
                raise
        except (IOError, OSError) as exc:
            raise StateError("cannot write %s: %s" % (path, exc.strerror or exc))

    # -- spool ---------------------------------------------------------------------
    @staticmethod
    def _entries(data):
        return [entry for entry in data.get("events") or [] if isinstance(entry, dict)]

    @staticmethod
    def _in_order(entries):
        """Oldest first (several runs may have put entries back, each in its own order)."""
        def created(entry):
            try:
                return float(entry.get("created") or 0)
            except (TypeError, ValueError):
                return 0.0
        return sorted(entries, key=created)

    def _read_spool(self):
        return self._entries(self._read(self.spool_path, {"version": FORMAT_VERSION, "events": []}))

    def _write_spool(self, entries):
        if entries or os.path.exists(self.spool_path):
            self._write(self.spool_path, {"version": FORMAT_VERSION, "events": entries})

    def claim(self, fingerprint):
        """Take the spooled entries for this fingerprint, oldest first, so that no other run sends them.

        They move to this process's claim file until :meth:`update_spool` puts back
        what was not delivered (or, if this process dies first, until another run
        finds the claim abandoned).  Claims of runs that died are put back first.
        """
        if self._claim is not None:
            return []
        with self.locked():
            entries = self._read_spool()
            abandoned = self._abandoned_claims()
            try:
                if abandoned:
                    known = set(entry.get("id") for entry in entries)
                    for _path, _handle, claimed in abandoned:
                        entries.extend(entry for entry in claimed if entry.get("id") not in known)
                        known.update(entry.get("id") for entry in claimed)
                    entries = self._in_order(entries)
                mine = [entry for entry in entries
                        if entry.get("key") == fingerprint and isinstance(entry.get("event"), dict)]
                if mine:
                    self._hold_claim(mine)
                    taken = set(id(entry) for entry in mine)
                    entries = [entry for entry in entries if id(entry) not in taken]
                if mine or abandoned:
                    self._write_spool(entries)
                for path, _handle, _claimed in abandoned:
                    _unlink(path)
            finally:
                for _path, handle, _claimed in abandoned:
                    os.close(handle)
        return mine

    def update_spool(self, remove_ids=(), append=(), max_events=100, max_age=None):
        """Drop the entries in ``remove_ids``, add ``append`` (skipping ids already there), apply the limits.

        Releases this process's claim: what it claimed and did not deliver must be
        in ``append``.  Returns ``(count, discarded)``: the entries now spooled, and
        how many were thrown away because of ``max_events`` or ``max_age`` (seconds).
        """
        remove_ids = set(remove_ids)
        with self.locked():
            spooled = self._read_spool()
            entries = [entry for entry in spooled if entry.get("id") not in remove_ids]
            present = set(entry.get("id") for entry in entries)
            added = [entry for entry in append if entry["id"] not in present and entry["id"] not in remove_ids]
            entries = self._in_order(entries + added) if added else entries
            before = len(entries)
            if max_age is not None:
                oldest = self._clock() - max_age
                entries = [entry for entry in entries if float(entry.get("created") or 0) >= oldest]
            if max_events is not None and len(entries) > max_events:
                entries = entries[len(entries) - max_events:]
            discarded = before - len(entries)
            if entries != spooled:
                self._write_spool(entries)
            self._release_claim()
        return len(entries), discarded

    @property
    def claiming(self):
        """True while this process holds claimed entries (to be released by :meth:`update_spool`)."""
        return self._claim is not None

    # -- claims (always called holding the directory's lock) -----------------------------
    def _claim_paths(self):
        try:
            names = os.listdir(self.directory)
        except OSError:
            return []
        return [os.path.join(self.directory, name) for name in sorted(names)
                if name.startswith(CLAIM_PREFIX) and name.endswith(CLAIM_SUFFIX)]

    def _abandoned_claims(self):
        """``(path, locked descriptor, entries)`` of the claim files whose run is gone (their lock is free)."""
        if not HAS_FCNTL:
            return []
        found = []
        for path in self._claim_paths():
            try:
                handle = os.open(path, os.O_RDWR)
            except OSError:
                continue
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(handle)        # its run is still going
                continue
            found.append((path, handle, self._entries(self._read(path, {"version": FORMAT_VERSION, "events": []}))))
        return found

    def _hold_claim(self, entries):
        path = os.path.join(self.directory, "%s%d-%s%s" % (CLAIM_PREFIX, os.getpid(),
                                                           binascii.hexlify(os.urandom(6)).decode(), CLAIM_SUFFIX))
        self._write(path, {"version": FORMAT_VERSION, "events": entries})
        handle = None
        try:
            handle = os.open(path, os.O_RDWR)
            if HAS_FCNTL:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if handle is not None:
                os.close(handle)
            _unlink(path)
            raise StateError("cannot lock %s: %s" % (path, exc.strerror or exc))
        self._claim = (path, handle)
        _CLAIMING.add(self)

    def _release_claim(self):
        if self._claim is None:
            return
        path, handle = self._claim
        self._claim = None
        _CLAIMING.discard(self)
        _unlink(path)
        os.close(handle)        # (after the unlink: no other run may take the file for abandoned meanwhile)

    def forget_claim_in_child(self):
        """In a forked child: close the claim's descriptor, so that the lock lives only as long as the parent."""
        if self._claim is not None:
            try:
                os.close(self._claim[1])
            except OSError:
                pass
            self._claim = None

    # -- duration history -------------------------------------------------------
    def durations(self, key):
        """The recorded durations (seconds) of earlier runs with this key, oldest first."""
        with self.locked():
            data = self._read(self.history_path, {"version": FORMAT_VERSION, "runs": {}})
        record = (data.get("runs") or {}).get(key)
        values = record.get("durations") if isinstance(record, dict) else None
        return [float(value) for value in values or [] if isinstance(value, (int, float))]

    def record_duration(self, key, seconds, keep=10, max_keys=MAX_HISTORY_KEYS):
        """Add one run's duration to the key's history, keeping its last ``keep`` runs.

        At most ``max_keys`` playbooks are remembered; the ones not run for longest are forgotten first.
        """
        with self.locked():
            data = self._read(self.history_path, {"version": FORMAT_VERSION, "runs": {}})
            runs = data.get("runs")
            if not isinstance(runs, dict):
                runs = data["runs"] = {}
            record = runs.get(key)
            values = record.get("durations") if isinstance(record, dict) else None
            values = [v for v in values or [] if isinstance(v, (int, float))]
            values.append(round(float(seconds), 3))
            runs[key] = {"durations": values[-max(1, int(keep)):], "updated": int(self._clock())}
            if len(runs) > max_keys:
                by_age = sorted(runs, key=lambda name: (runs[name] or {}).get("updated", 0)
                                if isinstance(runs[name], dict) else 0)
                for name in by_age[:len(runs) - max_keys]:
                    del runs[name]
            self._write(self.history_path, data)
