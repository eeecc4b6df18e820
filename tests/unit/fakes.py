"""Fakes shared by the unit tests of the collection's code."""

from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyAPIError


class FakeClient(object):
    """Answers GET requests from a dict of path -> body (or exception), recording every call."""

    def __init__(self, answers, listings=None):
        self.answers = answers
        self.listings = listings or {}
        self.calls = []

    def get(self, path, params=None):
        self.calls.append(("GET", path, params))
        answer = self.answers[path]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def list_all(self, path, key, params=None, max_items=None, first=None):
        self.calls.append(("LIST", path, dict(params or {}, first=first) if first else params))
        return self.listings[path], {"total": len(self.listings[path]), "truncated": False, "pages": 1}


def not_found(path):
    """The error the client raises for PagerDuty's 404 on GET ``path``."""
    return PagerDutyAPIError(404, "GET", "https://api.pagerduty.com" + path, path, code=2100, message="Not Found")
