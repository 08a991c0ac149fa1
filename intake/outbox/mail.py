"""The e-mails of the outbox: to the advisers, and the confirmation to the person."""

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale

from places.models import Adviser
from tasteget.helpers import absolute_url

from .. import cases
from ..choices import Kind
from ..models.outbox import Delivery
from ..models.registrations import RegistrationUpdate
from ..movers import mover_link, mover_link_days
from ..subscribers import newsletter_link, preferences_link, preferences_link_days

ADVISER_TEMPLATES = {
    Delivery.Action.UPDATE: "intake/email/adviser_again",
    Delivery.Action.ELSEWHERE: "intake/email/adviser_elsewhere",
}
# What the mover did on their own page (home/my_page.py), told to the advisers.
UPDATE_TEMPLATES = {
    RegistrationUpdate.Kind.CHANGED: "intake/email/adviser_changed",
    RegistrationUpdate.Kind.QUESTION: "intake/email/adviser_question",
}


def admin_url(registration):
    return absolute_url(reverse("intake_registration:inspect", args=[registration.pk]))


def email_for(delivery):
    registration = delivery.registration
    with translation.override(
        registration.language if delivery.channel == Delivery.Channel.CONFIRMATION_EMAIL else "sv"
    ):
        context = {
            "registration": registration,
            "kind": registration.get_kind_display(),
            "admin_url": admin_url(registration),
            "advisers": list(Adviser.objects.serving(registration.municipality))
            if registration.kind == Kind.GUIDANCE
            else [],
            "municipality": registration.municipality.get_translation_or_none(Locale.get_active())
            or registration.municipality,
        }
        if registration.kind == Kind.NEWSLETTER:
            context["confirm_url"] = absolute_url(newsletter_link(registration, "confirm"))
            context["unsubscribe_url"] = absolute_url(newsletter_link(registration, "unsubscribe"))
            context["preferences_url"] = absolute_url(preferences_link(registration))
            context["link_days"] = preferences_link_days()
        if registration.kind == Kind.GUIDANCE and delivery.channel == Delivery.Channel.CONFIRMATION_EMAIL:
            # The mover's own page, for a first registration and a repeat alike.
            context["mover_url"] = absolute_url(mover_link(registration))
            context["mover_days"] = mover_link_days()
        update = delivery.update if delivery.update_id else None
        if update is not None and update.due_date and delivery.channel == Delivery.Channel.CONFIRMATION_EMAIL:
            # What the person was promised when they registered again (shown, never saved).
            registration.due_date = update.due_date
        if delivery.channel == Delivery.Channel.ADVISER_EMAIL:
            template = ADVISER_TEMPLATES.get(delivery.action, "intake/email/adviser_notification")
            if update is not None and update.kind in UPDATE_TEMPLATES:
                template = UPDATE_TEMPLATES[update.kind]
            context["update"] = update
            if update is not None and update.kind == RegistrationUpdate.Kind.QUESTION:
                context["question"] = update.text
            elif delivery.action == Delivery.Action.UPDATE and update is not None:
                context["changes"] = cases.changes(update)
            elif delivery.action == Delivery.Action.ELSEWHERE and update is not None and update.other_id:
                other = update.other.municipality
                context["other_municipality"] = other.get_translation_or_none(Locale.get_active()) or other
            else:
                # The person's open cases in other municipalities: this adviser should know.
                context["elsewhere"] = [case.municipality for case in cases.open_cases_elsewhere(registration)]
        else:
            template = f"intake/email/confirmation_{registration.kind}"
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}.txt", context)
    headers = {}
    reply_to = []
    if "question" in context and registration.email:
        # The adviser answers the mover directly; the mover never sees the adviser's own address through us.
        reply_to = [registration.email]
    if registration.kind == Kind.NEWSLETTER:
        # One-click unsubscribe (RFC 8058) for mail clients.
        headers = {
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    return EmailMessage(subject=subject, body=body, to=[delivery.recipient], headers=headers, reply_to=reply_to)
