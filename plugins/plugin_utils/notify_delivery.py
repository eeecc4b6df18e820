# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the notify callback's events reach PagerDuty: through the background sender, and the spool when it cannot.

For internal use by the ``oncall.pagerduty.notify`` callback only; not a public API.

Every event becomes a spool entry (``{"id", "created", "key", "event"}``, without
the routing key) queued on the :class:`~.notify_sender.EventSender`.  A run first
queues the spooled entries it claims from the :class:`~.notify_state.StateStore`;
at its end, it waits a bounded time for the sender, then removes from the spool
what was delivered (or refused for good) and puts back what was not.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time
import uuid

from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_state import StateError, key_fingerprint


def _new_id():
    return uuid.uuid4().hex


def event_name(event):
    """An event in a few words, for ``-vvv``: its action and dedup key."""
    return "%s %s" % (event.get("event_action"), event.get("dedup_key"))


class Delivery(object):
    """The events of a process's runs on their way to PagerDuty: the sender's queue and this run's share of the spool.

    ``limits`` holds ``delivery_timeout``, ``spool_max_events`` and ``spool_max_age``
    (seconds, 0 for none) as attributes: the callback's configuration.
    """

    def __init__(self, sender, store, routing_key, limits, clock=time.time, new_id=_new_id,
                 monotonic=time.monotonic):
        self._sender = sender
        self._store = store
        self._fingerprint = key_fingerprint(routing_key)
        self._limits = limits
        self._clock = clock
        self._new_id = new_id
        self._monotonic = monotonic
        self._spool_ids = set()         # the ids of the entries claimed from the spool, until they are settled
        self._names = {}                # id -> event_name, until reported
        self._reported = 0              # how many of the sender's deliveries were reported

    def start(self):
        """Start the sender's thread (see :meth:`EventSender.start`)."""
        self._sender.start()

    def queue_spooled(self):
        """Claim this routing key's spooled entries and queue them first, in order.

        Raises :class:`StateError` when the spool cannot be read.
        """
        if self._sender.stopped:
            return      # (an earlier run of this process gave up on PagerDuty: they would only be put back)
        for entry in self._store.claim(self._fingerprint):
            self._spool_ids.add(entry["id"])
            self._names[entry["id"]] = "spooled " + event_name(entry["event"])
            self._sender.put(entry)

    def queue(self, event):
        """Queue an event (the routing key is left out: the sender adds it when it sends)."""
        event = dict((key, value) for key, value in event.items() if key != "routing_key")
        entry = {"id": self._new_id(), "created": self._clock(), "key": self._fingerprint, "event": event}
        self._names[entry["id"]] = event_name(event)
        self._sender.put(entry)

    def settle(self):
        """Wait (at most ``delivery_timeout``) for the sender; spool what it could not deliver.

        Returns the problems to report (one line each) and a line saying what was delivered.
        """
        waited = self._wait()
        undelivered = self._sender.undelivered()
        refused = self._sender.take_refused()
        remove = set(i for i in self._sender.delivered if i in self._spool_ids)
        remove.update(entry["id"] for entry, _reason in refused if entry["id"] in self._spool_ids)
        self._spool_ids.difference_update(remove)
        problems = []
        if refused:
            problems.append("PagerDuty refused %d event(s), which were dropped: %s" % (len(refused), refused[-1][1]))
        try:
            self._update_spool(remove, undelivered, problems)
        except StateError as exc:
            if undelivered:
                problems.append("cannot update the spool, %d event(s) lost: %s" % (len(undelivered), exc))
            else:
                problems.append("cannot update the spool: %s" % exc)
            undelivered = []
        if undelivered:
            self._spool_ids.update(entry["id"] for entry in undelivered)
            problems.insert(0, self._not_delivered(len(undelivered)))
        return problems, self._delivered_line(waited)

    def _wait(self):
        started = self._monotonic()
        try:
            self._sender.wait(self._limits.delivery_timeout)
        except KeyboardInterrupt:
            # Ctrl-C while the end of the run waits: stop waiting, spool, and end the run as it would have ended
            self._sender.stop("the wait for PagerDuty was interrupted")
        return self._monotonic() - started

    def _update_spool(self, remove, undelivered, problems):
        if not (undelivered or remove or self._store.claiming):
            return
        discarded = self._store.update_spool(remove_ids=remove, append=undelivered,
                                             max_events=self._limits.spool_max_events,
                                             max_age=self._limits.spool_max_age or None)[1]
        if discarded:
            problems.append("%d spooled event(s) were too old or too many and were dropped" % discarded)

    def _not_delivered(self, count):
        reason = self._sender.failure or "PagerDuty did not answer in time"
        if self._sender.failure_status in (404, 405):
            reason += "; check events_url and region"
        return ("%d PagerDuty event(s) not delivered (%s); kept in %s and sent first at the next run"
                % (count, reason, self._store.spool_path))

    def _delivered_line(self, waited):
        delivered = self._sender.delivered[self._reported:]
        self._reported += len(delivered)
        names = " (%s)" % ", ".join(self._names.pop(i, i) for i in delivered) if delivered else ""
        return "PagerDuty took %d event(s)%s; the end of the run waited %.3f s for delivery" % (
            len(delivered), names, waited)
