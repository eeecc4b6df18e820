"""The oncall lookup's cache: one question asked once per run, across the worker processes Ansible forks."""

import os
import threading
import time

import pytest
import yaml

from ansible_collections.oncall.pagerduty.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.oncall.pagerduty.plugins.module_utils.connection import CONNECTION_OPTIONS
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.oncall_cache import RunCache, cache_key

TOKEN = "secret-token"
CONNECTION = {"api_token": TOKEN, "api_url": "http://127.0.0.1:1", "region": "us"}


def test_a_question_is_asked_once_and_a_failure_is_not_kept(tmp_path):
    asked = []

    def compute():
        asked.append(1)
        return [{"user": {"email": "linus@example.com"}}]
    cache = RunCache(str(tmp_path))
    key = cache_key(CONNECTION, ("escalation_policies", ("PEPCHK1",)))
    assert cache.get(key, compute) == cache.get(key, compute) == RunCache(str(tmp_path)).get(key, compute)
    assert len(asked) == 1, "a new process of the same run (another RunCache) reads the kept answer"

    def fail():
        raise RuntimeError("PagerDuty is down")
    with pytest.raises(RuntimeError):
        cache.get("other", fail)
    assert cache.get("other", compute) and len(asked) == 2
    assert RunCache().get("memory", compute) and len(asked) == 3, "without a directory, memory only"


def test_the_key_holds_no_token_and_differs_by_account_and_question(tmp_path):
    key = cache_key(CONNECTION, ["q"])
    assert TOKEN not in key and len(key) == 64
    assert key != cache_key(dict(CONNECTION, api_token="device-token"), ["q"]) != cache_key(CONNECTION, ["r"])
    RunCache(str(tmp_path)).get(key, lambda: ["linus@example.com"])
    stored = "".join(open(os.path.join(str(tmp_path), name)).read() for name in os.listdir(str(tmp_path)))
    assert TOKEN not in stored and TOKEN not in " ".join(os.listdir(str(tmp_path)))


def test_workers_asking_at_the_same_time_ask_pagerduty_once(tmp_path):
    """Each worker has a cache of its own (as each forked worker process has); the lock file makes them take
    turns (flock locks belong to each opened file, so threads contend as processes do)."""
    asked, barrier = [], threading.Barrier(4)

    def compute():
        asked.append(1)
        time.sleep(0.2)     # (a request takes a while: long enough for the others to ask meanwhile)
        return ["linus@example.com"]

    def worker():
        barrier.wait()
        RunCache(str(tmp_path)).get("same-question", compute)
    workers = [threading.Thread(target=worker) for unused in range(4)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(30)
    assert len(asked) == 1


def test_plugins_read_the_same_environment_variables_as_the_modules():
    module = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    plugin = yaml.safe_load(ModuleDocFragment.PLUGINS)["options"]
    assert set(module) == set(plugin) == set(CONNECTION_OPTIONS)
    for name, (kind, env, default, extra) in CONNECTION_OPTIONS.items():
        assert plugin[name] == {"env": [{"name": env}]}
        assert module[name]["type"] == kind and module[name].get("default") == default
