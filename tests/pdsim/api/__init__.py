"""Operation handlers, one module per area, registered by method and path template.

Three APIs share the registry: ``rest`` (PagerDuty's REST API v2), ``events`` (the
Events API v2, paths without their ``/v2`` prefix) and ``sim`` (the simulator's own
controls under ``/_sim/``).  A REST or Events handler takes ``(account, request)``; a
control takes ``(simulator, request)``.  A handler returns a body (200), or
``(status, body)``, or ``(status, body, headers)``.  It calls the model and shapes the
answer; the rules live in the model.
"""

import re

_ROUTES = {"rest": [], "events": [], "sim": []}


def route(method, template, api="rest"):
    """Register a handler for ``method template`` on ``api``."""
    parts = template.strip("/").split("/")
    names = [p[1:-1] for p in parts if p.startswith("{")]
    pattern = "".join("/([^/]+)" if p.startswith("{") else "/" + re.escape(p) for p in parts)
    rank = (-sum(1 for p in parts if not p.startswith("{")), -len(parts))
    # REST and Events paths match with or without a trailing slash; controls match exactly, as they always have.
    slash = "" if api == "sim" else "/?"

    def register(handler):
        _ROUTES[api].append((rank, re.compile("^%s%s$" % (pattern, slash)), method.upper(), names, handler))
        _ROUTES[api].sort(key=lambda item: item[0])
        return handler
    return register


class Router(object):
    def match(self, api, method, path):
        """(handler, path params) or None."""
        for _rank, regex, verb, names, handler in _ROUTES[api]:
            if verb != method.upper():
                continue
            found = regex.match(path)
            if found:
                return handler, dict(zip(names, found.groups()))
        return None


def _register_all():
    """Import every handler module of this package; importing registers its routes."""
    import importlib
    import pkgutil
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module("%s.%s" % (__name__, module.name))


_register_all()
