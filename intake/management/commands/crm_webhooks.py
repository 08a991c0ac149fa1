"""Create or update the SuperOffice webhook that tells this site about
completed follow-ups and changed persons (docs/crm-bridge.md)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from intake.answers import EVENTS
from intake.outbox.adapters.base import DeliveryError
from intake.outbox.adapters.superoffice import SuperOfficeAdapter
from tasteget.helpers import absolute_url

NAME = "tasteget-answers"


class Command(BaseCommand):
    help = "Register (create or update) the SuperOffice webhook for the CRM's answers."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["register"])
        parser.add_argument("--url", default="", help="The public address of the endpoint (default: this site's).")

    def handle(self, *args, action, url, **options):
        if not settings.SUPEROFFICE_WEBHOOK_SECRET:
            raise CommandError("Set SUPEROFFICE_WEBHOOK_SECRET first: SuperOffice signs every event with it.")
        target = url or absolute_url(reverse("intake_superoffice_webhook"))
        body = {
            "Name": NAME,
            "Events": [event for event in EVENTS if event != "appointment.completed"],
            "TargetUrl": target,
            "Secret": settings.SUPEROFFICE_WEBHOOK_SECRET,
            "State": "Active",
            "Type": "webhook",
        }
        adapter = SuperOfficeAdapter(deadline=time.monotonic() + 60)
        try:
            existing = [hook for hook in adapter.json_of(adapter.call("GET", "Webhook")) if hook.get("Name") == NAME]
            if existing:
                adapter.call("PUT", f"Webhook/{int(existing[0]['WebhookId'])}", json={**existing[0], **body})
                self.stdout.write(f"Updated webhook {existing[0]['WebhookId']} → {target}")
            else:
                created = adapter.json_of(adapter.call("POST", "Webhook", json=body))
                self.stdout.write(f"Created webhook {created.get('WebhookId')} → {target}")
        except DeliveryError as error:
            raise CommandError(
                f"SuperOffice refused: {error}. On SuperOffice Online the app must have been granted webhooks; "
                "otherwise set SUPEROFFICE_ANSWERS=poll."
            ) from error
