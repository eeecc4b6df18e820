"""The Events API v2: alert events and change events, with PagerDuty's own rules."""

from ..errors import EventsError
from .core import Store

MAX_EVENT_BYTES = 512 * 1024
MAX_SUMMARY = 1024
MAX_DEDUP_KEY = 255


class Events(object):
    """What the Events API v2 accepts, and what it does with it.

    Depends on the plumbing, :class:`~pdsim.model.services.Services` (which integration
    a routing key belongs to), :class:`~pdsim.model.incidents.Incidents` (the alerts
    and incidents that alert events open, acknowledge and resolve) and, when given,
    :class:`~pdsim.model.maintenance.Maintenance` (services whose integrations are switched off).
    """

    def __init__(self, plumbing, services, incidents, maintenance=None):
        self.plumbing = plumbing
        self.services = services
        self.incidents = incidents
        self.maintenance = maintenance
        self.received_events = []       # every accepted alert event, routing key masked
        self.change_events = Store("change_event", "Change Event")

    def _service_for_event(self, body, raw_size):
        if raw_size > MAX_EVENT_BYTES:
            raise EventsError("Event object is larger than 512 KB (%d bytes)" % raw_size)
        routing_key = body.get("routing_key")
        if not isinstance(routing_key, str) or len(routing_key) != 32:
            raise EventsError("Length of 'routing_key' is incorrect (should be 32 characters)")
        service, integration = self.services.service_for_routing_key(routing_key)
        if service is None:
            raise EventsError("Invalid routing key")
        return service, integration

    def enqueue_event(self, body, raw_size):
        service, integration = self._service_for_event(body, raw_size)
        action = body.get("event_action")
        dedup_key = body.get("dedup_key")
        if dedup_key is not None and len(dedup_key) > MAX_DEDUP_KEY:
            raise EventsError("'dedup_key' is too long (maximum is %d characters)" % MAX_DEDUP_KEY)
        if action == "trigger":
            payload = body.get("payload")
            if not isinstance(payload, dict):
                raise EventsError("'payload' is missing or blank")
            summary = payload.get("summary") or ""
            if not summary.strip():
                raise EventsError("'payload.summary' is missing or blank")
            if len(summary) > MAX_SUMMARY:
                raise EventsError("'payload.summary' is too long (maximum is %d characters)" % MAX_SUMMARY)
            dedup_key = dedup_key or self.plumbing.random_hex()
        elif not dedup_key:
            raise EventsError("'dedup_key' is missing or blank")
        # A service in a maintenance window has its integrations "effectively switched off": the event is accepted
        # (202) but triggers no incident, and "incidents cannot be resolved through the Events API" meanwhile.
        # support.pagerduty.com/docs/maintenance-windows
        window = self.maintenance.in_maintenance(service["id"]) if self.maintenance is not None else None
        if window is None:
            self._apply(action, service, integration, body, dedup_key)
        record = {k: v for k, v in body.items() if k != "routing_key"}
        record.update(dedup_key=dedup_key, service_id=service["id"], received_at=self.plumbing.timestamp())
        if window is not None:
            record["maintenance_window_id"] = window["id"]
        self.received_events.append(record)
        return {"status": "success", "message": "Event processed", "dedup_key": dedup_key}

    def _apply(self, action, service, integration, body, dedup_key):
        if action == "trigger":
            self.incidents.trigger_alert(service, integration, body, dedup_key)
        elif action == "acknowledge":
            self.incidents.acknowledge_alert(integration, dedup_key)
        else:
            self.incidents.resolve_alert(integration, dedup_key)

    def enqueue_change_event(self, body, raw_size):
        service, integration = self._service_for_event(body, raw_size)
        payload = body.get("payload") or {}
        summary = payload.get("summary") or ""
        if not summary.strip():
            raise EventsError("'payload.summary' is missing or blank")
        if len(summary) > MAX_SUMMARY:
            raise EventsError("'payload.summary' is too long (maximum is %d characters)" % MAX_SUMMARY)
        event = {
            "id": self.plumbing.new_id(),
            "type": "change_event",
            "summary": summary,
            "timestamp": payload.get("timestamp") or self.plumbing.timestamp(),
            "source": payload.get("source"),
            "custom_details": payload.get("custom_details") or {},
            "links": body.get("links") or [],
            "images": body.get("images") or [],
            "services": [{"id": service["id"], "type": "service_reference", "summary": service["summary"]}],
            "integration": {"id": integration["id"], "type": "inbound_integration_reference",
                            "summary": integration["summary"]},
        }
        self.change_events.add(event)
        return {"status": "success", "message": "Change event processed"}
