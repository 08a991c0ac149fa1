"""Who may see what, and who saw it.

`AdviserGroup` scopes a Wagtail group to a municipality; the access log
records who opened, exported or changed whose personal data
(docs/data-protection.md).

In `intake`, the lowest app that holds personal data, so that the
registration admin, the ambassador application admin and the data
protection officer's person view (privacy/) can all record here. An entry
names the user, the action and the rows by type and id: never a name,
address or search term. Kept ACCESS_LOG_RETENTION_DAYS (housekeeping).
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class AccessLogEntry(models.Model):
    wagtail_reference_index_ignore = True

    class Action(models.TextChoices):
        VIEW = "view", _("Opened")
        CHANGE = "change", _("Changed")
        EXPORT = "export", _("Exported")
        SEARCH = "search", _("Searched for a person")
        ERASE = "erase", _("Erased")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("user")
    )
    username = models.CharField(_("username"), max_length=150, help_text=_("Kept if the user is deleted."))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    # "person view", "registration", "ambassador application" …
    subject = models.CharField(_("what"), max_length=60)
    # Rows by type and id, such as "registration 12, ambassador application 3".
    objects_touched = models.TextField(_("rows"), blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at"]
        permissions = [
            ("view_person", _("Can find, export and erase a person's data and read the access log")),
        ]

    def __str__(self):
        return f"{self.username} {self.action} {self.subject}"

    @property
    def subject_label(self):
        """What was touched, in the reader's language (stored as a fixed English key)."""
        return SUBJECT_LABELS.get(self.subject, self.subject)


# The subjects record_access is called with, shown translated in the access log.
SUBJECT_LABELS = {
    "registration": _("registration"),
    "registration list": _("registration list"),
    "magazine mailing list": _("magazine mailing list"),
    "person view": _("person view"),
    "ambassador application": _("ambassador application"),
    "ambassador application list": _("ambassador application list"),
    "newsletter preferences": _("newsletter preferences"),
    "mover page": _("mover's own page"),
}


def record_access(user, action, subject, rows=()):
    """One entry. `rows`: (label, id) pairs, such as ("registration", 12)."""
    return AccessLogEntry.objects.create(
        user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "get_username", lambda: "")(),
        action=action,
        subject=subject,
        objects_touched=", ".join(f"{label} {pk}" for label, pk in rows),
    )


def prune_access_log(now=None):
    """Delete entries older than ACCESS_LOG_RETENTION_DAYS; run daily by housekeeping."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS)
    deleted, _details = AccessLogEntry.objects.filter(at__lt=cutoff).delete()
    logger.info("retention: access_log_deleted=%s", deleted)
    return deleted


def scoped_municipality_keys(user, *permissions):
    """The translation keys of the municipalities linked to those of the
    user's groups that themselves grant one of `permissions` ("app.codename").

    By role, not by any linked group: a web editor group of Berg gives its
    member Berg's embed code, never Berg's registrations, whatever other
    group (an adviser group of Åre) grants the permission to see some."""
    granting = models.Q()
    for permission in permissions:
        app_label, codename = permission.split(".", 1)
        granting |= models.Q(
            group__permissions__content_type__app_label=app_label, group__permissions__codename=codename
        )
    return AdviserGroup.objects.filter(granting, group__user=user).values("municipality__translation_key").distinct()


class AdviserGroup(models.Model):
    """Links a Wagtail group to its municipality: an adviser group sees that
    municipality's registrations, a web editor group its embed code and
    allowed websites (what each may do comes from the group's permissions)."""

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="adviser_scope")
    municipality = models.ForeignKey("places.Municipality", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("adviser group")

    def __str__(self):
        return f"{self.group} → {self.municipality}"
