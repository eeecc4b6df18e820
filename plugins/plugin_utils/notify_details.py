# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the notify callback says in its events: templates, failure messages, Rundeck context, the default dedup key.

For internal use by the ``oncall.pagerduty.notify`` callback only; not a public API.
Everything here is plain data in, plain data out, so it is unit-tested without a play.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import re

from collections.abc import Mapping

CENSORED = "the output has been hidden due to the fact that 'no_log: true' was specified for this result"
ELLIPSIS = u"\u2026"

# The fields templates may use ({name}); the callback fills them for each event.
TEMPLATE_FIELDS = (
    "trigger", "message", "status", "playbook", "playbook_path", "inventory", "plays", "controller", "user",
    "duration", "elapsed", "average", "host_count", "failed_hosts", "failed_count", "unreachable_hosts",
    "unreachable_count", "task", "host", "check_mode", "identity",
    "rd_job_name", "rd_job_group", "rd_job_id", "rd_project", "rd_exec_id", "rd_user", "rd_execution_url",
)
# The fields a dedup_key template may use: the ones known when the run starts.
DEDUP_KEY_FIELDS = ("playbook", "playbook_path", "inventory", "controller", "user", "identity", "rd_job_name",
                    "rd_job_group", "rd_job_id", "rd_project")

_FIELD = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}|[{}]")
_UNSAFE_LABEL = re.compile(r"[^A-Za-z0-9._-]+")
# The name Rundeck's Ansible plugin gives an inline playbook: File.createTempFile("ansible-runner" or "", "playbook").
_RUNDECK_INLINE_PLAYBOOK = re.compile(r"^(?:ansible-runner)?-?\d+\.?playbook$")


class TemplateError(ValueError):
    """A template names a field that does not exist, or has a lone brace."""


def render(template, fields, allowed=TEMPLATE_FIELDS):
    """Replace ``{name}`` by ``fields[name]``; ``{{`` and ``}}`` are literal braces.

    Only plain names are allowed (no attribute or index access), so a template
    from the configuration cannot reach anything but the documented fields.
    """
    def substitute(match):
        text = match.group(0)
        if text == "{{":
            return "{"
        if text == "}}":
            return "}"
        name = match.group(1)
        if name is None:
            raise TemplateError("a lone %r in %r; write {{ or }} for a literal brace" % (text, template))
        if name not in allowed:
            raise TemplateError("unknown field {%s} in %r; known fields: %s" % (name, template, ", ".join(allowed)))
        value = fields.get(name)
        if value is None:
            return ""
        if isinstance(value, (list, tuple)):
            return ", ".join(str(item) for item in value)
        return str(value)
    return _FIELD.sub(substitute, template)


def check_template(template, allowed=TEMPLATE_FIELDS):
    """Raise :class:`TemplateError` now rather than at the first event."""
    render(template, {}, allowed)


def truncate(text, limit):
    text = "" if text is None else str(text)
    if limit is not None and len(text) > limit:
        return text[:max(0, limit - 1)] + ELLIPSIS
    return text


def one_line(text):
    return " ".join(str(text).split())


def _as_text(value):
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return str(value)


def _censored(result):
    return not isinstance(result, Mapping) or bool(result.get("_ansible_no_log")) or "censored" in result


def _single_message(result):
    """The message of one (non-loop) result: ``msg``, plus the end of stderr and the rc for commands."""
    parts = []
    msg = result.get("msg")
    if msg not in (None, ""):
        parts.append(_as_text(msg))
    if isinstance(msg, str) and msg.startswith("MODULE FAILURE"):
        lines = [line for line in str(result.get("module_stderr") or "").splitlines() if line.strip()]
        if lines:
            parts.append(lines[-1].strip())
    stderr = result.get("stderr")
    if isinstance(stderr, str) and stderr.strip():
        lines = [line for line in stderr.splitlines() if line.strip()]
        parts.append("stderr: " + " / ".join(lines[-3:]))
    if isinstance(result.get("rc"), int) and result.get("rc") != 0:
        parts.append("rc=%d" % result["rc"])
    return "; ".join(parts)


def failure_message(result, no_log=False, limit=500):
    """What went wrong in one task result, on one line, at most ``limit`` characters.

    Only the result's message, the end of stderr and the return code are used:
    never the task's arguments or the module's invocation.  A ``no_log`` result
    (or one Ansible already censored) gives only the censored notice.
    """
    if no_log or _censored(result):
        return CENSORED
    messages = []
    loop = result.get("results")
    if isinstance(loop, (list, tuple)) and loop:
        for item in loop:
            if not isinstance(item, Mapping) or not (item.get("failed") or item.get("unreachable")):
                continue
            text = CENSORED if _censored(item) else _single_message(item)
            if text and text not in messages:
                messages.append(text)
    own = _single_message(result)
    if own and (not messages or own not in ("One or more items failed", "All items completed")):
        messages.insert(0, own)
    return truncate(one_line(" | ".join(messages) or "failed without a message"), limit)


def rundeck_context(environ):
    """Rundeck's job context from the ``RD_JOB_*`` environment of a Rundeck step, or None outside Rundeck."""
    def get(*names):
        for name in names:
            value = environ.get(name)
            if value not in (None, ""):
                return value
        return None
    context = {
        "job_name": get("RD_JOB_NAME"),
        "job_group": get("RD_JOB_GROUP"),
        "job_id": get("RD_JOB_ID"),
        "project": get("RD_JOB_PROJECT"),
        "execution_id": get("RD_JOB_EXECID"),
        "user": get("RD_JOB_USERNAME", "RD_JOB_USER_NAME"),
        "retry_attempt": get("RD_JOB_RETRYATTEMPT"),
        "server_url": get("RD_JOB_SERVERURL"),
        "execution_url": get("RD_JOB_URL"),
    }
    if not any(context.values()):
        return None
    if not context["execution_url"] and context["server_url"] and context["project"] and context["execution_id"]:
        context["execution_url"] = "%s/project/%s/execution/show/%s" % (
            context["server_url"].rstrip("/"), context["project"], context["execution_id"])
    if context["execution_url"] and not re.match(r"^https?://", context["execution_url"], re.IGNORECASE):
        context["execution_url"] = None
    return dict((key, value) for key, value in context.items() if value is not None)


def normalise_inventory(sources, cwd=None):
    """Inventory sources as given on the command line, paths made absolute, sorted."""
    cwd = cwd or os.getcwd()
    normal = []
    for source in sources or ():
        source = str(source)
        path = os.path.expanduser(source)
        if "," not in source and os.path.exists(os.path.join(cwd, path)):
            source = os.path.normpath(os.path.join(cwd, path))
        normal.append(source)
    return sorted(set(normal))


def identity(kind, target, inventory):
    """A short stable hash of what a run is: the playbook (or ad hoc module and pattern) and the inventory."""
    basis = json.dumps([kind, target, list(inventory)], sort_keys=True)
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]


def step_label(label, plays=()):
    """The name of a playbook in Rundeck's keys: its file name, but for the plugin's inline playbooks
    (written to a new temporary file for every execution, named like ``ansible-runner8231...playbook``),
    ``inline-`` and a hash of the names of its plays."""
    if label and _RUNDECK_INLINE_PLAYBOOK.match(label):
        basis = json.dumps([str(play) for play in plays or ()])
        return "inline-" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:8]
    return label


def default_dedup_key(label, run_identity, rundeck=None, plays=()):
    """The default dedup key: ``rundeck:<project>:<job id>:<label>`` under a Rundeck job, else ``ansible:<label>:<hash>``.

    Under Rundeck the job and the playbook (or ad hoc module) are the identity, because
    Rundeck writes a new inventory (and, for inline playbooks, a new playbook file, see
    :func:`step_label`) for every execution; the label keeps the steps of one job apart.
    """
    if rundeck and rundeck.get("project") and rundeck.get("job_id"):
        label = _UNSAFE_LABEL.sub("_", step_label(label, plays) or "run").strip("_")[:100] or "run"
        return truncate("rundeck:%s:%s:%s" % (rundeck["project"], rundeck["job_id"], label), 255)
    label = _UNSAFE_LABEL.sub("_", label or "run").strip("_")[:100] or "run"
    return "ansible:%s:%s" % (label, run_identity)


def seconds(value):
    """Seconds as a short human string: 42 s, 3 min 5 s, 2 h 1 min."""
    value = max(0.0, float(value))
    if value < 10:
        return "%.1f s" % value
    value = int(round(value))
    if value < 60:
        return "%d s" % value
    if value < 3600:
        return "%d min %d s" % (value // 60, value % 60)
    return "%d h %d min" % (value // 3600, (value % 3600) // 60)


def host_list(hosts, limit=5):
    hosts = list(hosts)
    if len(hosts) <= limit:
        return ", ".join(hosts)
    return "%s and %d more" % (", ".join(hosts[:limit]), len(hosts) - limit)
