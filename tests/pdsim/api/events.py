"""The Events API v2 (``/v2/enqueue`` and ``/v2/change/enqueue``)."""

from . import route
from ..errors import EventsError


def _body(request):
    if not isinstance(request.body, dict):
        raise EventsError("Event object format is unrecognized", title="Unrecognized object",
                          message="Event object format is unrecognized")
    return request.body


@route("POST", "/enqueue", api="events")
def enqueue(account, request):
    return 202, account.events.enqueue_event(_body(request), request.raw_size)


@route("POST", "/change/enqueue", api="events")
def enqueue_change(account, request):
    return 202, account.events.enqueue_change_event(_body(request), request.raw_size)
