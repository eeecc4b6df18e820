"""Fakes shared by the unit tests of the collection's code."""

from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyAPIError


class FakeClient(object):
    """Answers requests from a dict of path (for GET) or "METHOD path" -> body (or exception), and listings
    from a dict of path -> items, recording every call; a write without an answer returns None (a 204)."""

    def __init__(self, answers, listings=None):
        self.answers = answers
        self.listings = listings or {}
        self.calls = []

    def _answer(self, key, default=KeyError):
        answer = self.answers[key] if default is KeyError else self.answers.get(key, default)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def get(self, path, params=None):
        self.calls.append(("GET", path, params))
        return self._answer(path)

    def request(self, method, path, body=None, **options):
        self.calls.append((method, path, body))
        return self._answer("%s %s" % (method, path), None)

    def post(self, path, body=None, **options):
        return self.request("POST", path, body, **options)

    def put(self, path, body=None, **options):
        return self.request("PUT", path, body, **options)

    def delete(self, path, **options):
        return self.request("DELETE", path, None, **options)

    def list_all(self, path, key, params=None, max_items=None, first=None):
        self.calls.append(("LIST", path, dict(params or {}, first=first) if first else params))
        return self.listings[path], {"total": len(self.listings[path]), "truncated": False, "pages": 1}


def not_found(path):
    """The error the client raises for PagerDuty's 404 on GET ``path``."""
    return PagerDutyAPIError(404, "GET", "https://api.pagerduty.com" + path, path, code=2100, message="Not Found")
