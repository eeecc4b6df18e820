# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``oncall`` lookup's cache: one answer per question for the life of one controller run.

For internal use by the ``oncall.pagerduty.oncall`` lookup plugin only; not a public API.

Ansible runs each task in a worker process of its own, forked from the controller, so an answer kept in one
worker's memory is gone by the next task.  The cache therefore keeps answers as files in the controller's
temporary directory for this run (Ansible's ``DEFAULT_LOCAL_TMP``, ``~/.ansible/tmp/ansible-local-<pid>...``,
mode 0700, which the controller removes when it exits), and in memory within one process.  A question is asked
under an exclusive ``flock`` on its own lock file, so that workers asking it at the same time send one request.

The key of a question is a SHA-256 digest of the connection (the token included, so that different accounts
never share answers) and the question: no token or other value is readable from a file name.  The files hold
the answers: the on-call users' IDs, names and email addresses.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import tempfile

try:
    import fcntl
except ImportError:  # pragma: no cover - Ansible controllers are POSIX
    fcntl = None


def cache_key(connection, question):
    """A digest of the connection (a dict of its options) and the question (any JSON-able value)."""
    text = json.dumps([sorted((k, v) for k, v in connection.items()), question], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class RunCache(object):
    """Answers by key, in memory and (with a ``directory``) in files shared by the processes of one run."""

    def __init__(self, directory=None):
        self.directory = directory
        self.memory = {}

    def get(self, key, compute):
        """The answer for ``key``, computed by ``compute()`` the first time only (a failure is not kept)."""
        if key not in self.memory:
            self.memory[key] = self._shared(key, compute) if self.directory else compute()
        return self.memory[key]

    def _shared(self, key, compute):
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        path = os.path.join(self.directory, key + ".json")
        with open(path + ".lock", "a") as lock:
            if fcntl is not None:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX)     # released when the file is closed
            found = self._read(path)
            if found is not None:
                return found["answer"]
            answer = compute()
            self._write(path, {"answer": answer})
            return answer

    @staticmethod
    def _read(path):
        try:
            with open(path) as handle:
                found = json.load(handle)
        except (IOError, OSError, ValueError):
            return None
        return found if isinstance(found, dict) and "answer" in found else None

    def _write(self, path, document):
        descriptor, temporary = tempfile.mkstemp(dir=self.directory, prefix=".answer-")
        try:
            with os.fdopen(descriptor, "w") as handle:
                json.dump(document, handle)
            os.replace(temporary, path)
        except (IOError, OSError):
            if os.path.exists(temporary):
                os.unlink(temporary)
