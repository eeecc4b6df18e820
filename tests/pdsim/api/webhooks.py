"""V3 webhook subscriptions (``/webhook_subscriptions``)."""

from . import route
from ..errors import InvalidInput
from ..model.core import paginate


def _subscription_body(request):
    body = (request.body or {}).get("webhook_subscription")
    if not isinstance(body, dict):
        raise InvalidInput("webhook_subscription is required")
    return body


@route("GET", "/webhook_subscriptions")
def list_webhook_subscriptions(account, request):
    found = account.webhooks.listing(request.str("filter_type"), request.str("filter_id"))
    page = paginate(found, "webhook_subscriptions", **request.page())
    page["webhook_subscriptions"] = [account.webhooks.render(s) for s in page["webhook_subscriptions"]]
    return page


@route("POST", "/webhook_subscriptions")
def create_webhook_subscription(account, request):
    created = account.webhooks.create(_subscription_body(request))
    # The document answers a creation with 200 (and the secret, this once).
    return 200, {"webhook_subscription": account.webhooks.render(created, with_secret=True)}


@route("GET", "/webhook_subscriptions/{id}")
def get_webhook_subscription(account, request):
    return {"webhook_subscription": account.webhooks.render(account.webhooks.subscriptions.get(request.params["id"]))}


@route("PUT", "/webhook_subscriptions/{id}")
def update_webhook_subscription(account, request):
    updated = account.webhooks.update(request.params["id"], _subscription_body(request))
    return {"webhook_subscription": account.webhooks.render(updated)}


@route("DELETE", "/webhook_subscriptions/{id}")
def delete_webhook_subscription(account, request):
    account.webhooks.delete(request.params["id"])
    return 204, None


@route("POST", "/webhook_subscriptions/{id}/enable")
def enable_webhook_subscription(account, request):
    return {"webhook_subscription": account.webhooks.render(account.webhooks.enable(request.params["id"]))}


@route("POST", "/webhook_subscriptions/{id}/ping")
def ping_webhook_subscription(account, request):
    account.webhooks.ping(request.params["id"])
    return 202, None
