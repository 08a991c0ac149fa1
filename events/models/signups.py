"""A person's place at a meet-up, or on its waiting list.

The person (name, e-mail, phone) and their consent are an `intake.Registration`
of kind `event`: it reaches the CRM through the outbox like every
registration, and retention and erasure treat it like one. The sign-up holds
no personal data of its own: the meet-up, where the person stands (a place,
the waiting list, cancelled) and whether they came. When intake erases or
anonymises the registration the sign-up stays, unlinked, so the report's
figures do not change.
"""

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake.models.access import scoped_municipality_keys


def new_cancel_key():
    return secrets.token_hex(8)


class SignupQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Region staff see every sign-up; an adviser those of their municipality's meet-ups."""
        if user.is_superuser or user.has_perm("intake.view_all_registrations"):
            return self
        if not user.has_perm("intake.view_registration"):
            return self.none()
        keys = scoped_municipality_keys(user, "intake.view_registration")
        return self.filter(event__municipality__translation_key__in=keys)


class Signup(models.Model):
    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Has a place")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(
        "events.EventPage", on_delete=models.CASCADE, related_name="signups", verbose_name=_("meet-up")
    )
    registration = models.OneToOneField(
        "intake.Registration",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_signup",
        verbose_name=_("registration"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, db_index=True)
    language = models.CharField(_("language"), max_length=10)
    # Part of the cancel link: a link works once, and not after a new sign-up.
    cancel_key = models.CharField(max_length=16, default=new_cancel_key, editable=False)
    created_at = models.DateTimeField(_("signed up"), default=timezone.now)
    promoted_at = models.DateTimeField(_("got a place from the waiting list"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True, help_text=_("Marked by the organiser."))

    objects = SignupQuerySet.as_manager()

    class Meta:
        verbose_name = _("meet-up sign-up")
        verbose_name_plural = _("meet-up sign-ups")
        ordering = ["event", "created_at", "pk"]

    def __str__(self):
        # No name or e-mail: the label reaches Wagtail's history.
        return f"{self.get_status_display()} #{self.pk}"

    @property
    def person_label(self):
        registration = self.registration
        if registration is None or registration.anonymised_at:
            return _("(personal data removed)")
        return f"{registration.first_name} {registration.last_name} <{registration.email}>"
