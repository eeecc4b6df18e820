"""A module's work run in this process against a simulator, without starting Ansible.

For the tests whose subject is the client and the modules' own logic (retries, confirm-instead-of-resend), not
ansible-core: the fault matrix runs each cell this way, and a handful of cells through ``ansible`` as well.

:class:`InProcessModule` is a :class:`PagerDutyModule` whose parameters are given whole instead of parsed by
Ansible; everything a module's ``run(module)`` uses (``client``, ``resolver``, ``require``, ``changes``, ``run``,
the ``changed`` after an accepted write) is the base class's own code.  Its exits return the result that
``ansible`` would print.
"""

from ansible_collections.oncall.pagerduty.plugins.module_utils.connection import (
    connection_argument_spec, routing_key_argument_spec)
from ansible_collections.oncall.pagerduty.plugins.module_utils.diff import ChangeTracker
from ansible_collections.oncall.pagerduty.plugins.module_utils.module import PagerDutyModule


class _Exit(BaseException):
    """A module's exit, which (like AnsibleModule's SystemExit) no ``except Exception`` of the module catches."""

    def __init__(self, result):
        super(_Exit, self).__init__(result)
        self.result = result


class InProcessModule(PagerDutyModule):
    """The module base class with the parameters given whole (defaults from the argument spec)."""

    def __init__(self, module, args, check_mode=False):     # (AnsibleModule's argument handling is skipped)
        spec = connection_argument_spec()
        if "routing_key" in args:
            spec.update(routing_key_argument_spec())
        spec.update(module.ARGUMENT_SPEC)
        unknown = set(args) - set(spec)
        assert not unknown, "not options of %s: %s" % (module.__name__, ", ".join(sorted(unknown)))
        self.params = dict((name, option.get("default")) for name, option in spec.items())
        self.params.update(args)
        self.check_mode = check_mode
        self._diff = False
        self.supports_diff = True
        self.changes = ChangeTracker()
        self._client = None
        self._resolver = None
        self.warnings = []
        self._module = module

    def warn(self, warning):
        self.warnings.append(warning)

    def exit_json(self, **result):
        raise _Exit(result)

    def fail_json(self, msg, **kwargs):
        raise _Exit(dict(self.with_writes(kwargs), msg=msg, failed=True))

    def result(self):
        """What the module reports: its result, or its failure (``failed`` and ``msg``)."""
        try:
            self.run(self._module.run)
        except _Exit as done:
            return done.result
        raise AssertionError("the module neither exited nor failed")


def run_module(module, args, check_mode=False):
    """The result of ``module`` (a module of plugins/modules) run in-process with ``args``."""
    return InProcessModule(module, args, check_mode).result()
