"""A CRM behind a webhook: the payload POSTed as signed JSON (Standard Webhooks)."""

import base64
import hashlib
import hmac
import json
import time

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from ...webhook_secret import webhook_key
from .base import CrmResult, HttpAdapter, PermanentError


def sign_webhook(secret, message_id, timestamp, body):
    """Standard Webhooks: v1,<base64 HMAC-SHA256 of "id.timestamp.body">."""
    # whsec_ + base64, padded or not (intake/webhook_secret.py); production refuses other forms.
    key = webhook_key(secret) if secret.startswith("whsec_") else secret.encode()
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


class WebhookAdapter(HttpAdapter):
    """POST the payload as JSON, signed per the Standard Webhooks specification.

    The webhook id is the delivery's id, the same on every retry, so the
    receiver can drop repeats.
    """

    def deliver(self, payload, known=None, on_person=None):
        if not settings.CRM_WEBHOOK_URL or not settings.CRM_WEBHOOK_SECRET:
            raise PermanentError("CRM_WEBHOOK_URL and CRM_WEBHOOK_SECRET must be set.")
        body = json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
        timestamp = str(int(time.time()))
        headers = {
            "content-type": "application/json",
            "webhook-id": payload["id"],
            "webhook-timestamp": timestamp,
            "webhook-signature": sign_webhook(settings.CRM_WEBHOOK_SECRET, payload["id"], timestamp, body),
        }
        response = self.request("POST", settings.CRM_WEBHOOK_URL, data=body, headers=headers)
        person_id = ""
        if response.content:
            try:
                person_id = str(response.json().get("person_id") or "")
            except (ValueError, AttributeError):
                person_id = ""  # the receiver owes us no body
        return CrmResult(person_id=person_id)

    def erase(self, payload, known=None):
        """A signed `person.erased` event (identifiers only), like any delivery."""
        self.deliver(payload, known)
        return CrmResult(person_id=payload.get("crm_person_id") or "")
