"""A delivery closed without being sent is "cancelled", no longer "delivered".

Until now the two paths that close a delivery unsent saved it as delivered,
with a delivered_at: the erasure (privacy/) and a newsletter subscription
unsubscribed before it reached the CRM (the worker's `superseded`). This
migration adds the status and converts the rows those paths left, where they
can be recognised for certain. A delivered row is converted when

1. its last_error starts with "Not sent:" — the reason both paths wrote; a
   sent delivery is finished with an empty error. (The purge blanks error
   texts when it anonymises a registration, so this marker does not always
   survive; hence 2 and 3.)
2. its delivered_at equals its registration's anonymised_at — the erasure
   stamped both with one clock reading in one transaction; a sent delivery's
   delivered_at is the worker's own reading when the CRM or SMTP answered.
3. it is a CRM delivery of a newsletter subscription's registration or
   preference change, the subscription was unsubscribed no later than the
   delivery was closed, and it carries no CRM person id — every CRM adapter
   answers a newsletter delivery it received with the person it filed it
   under, so a sent one has an id.

Converted rows lose their delivered_at. Going back, "cancelled" rows become
"delivered" again (dated by their last attempt, else their creation), since
the earlier code knows no other closed status and would hold their
registrations back from the retention purge for ever.
"""

from django.db import migrations, models
from django.db.models import F, Q

NOT_SENT = Q(last_error__startswith="Not sent:")
ERASED = Q(registration__anonymised_at__isnull=False, delivered_at=F("registration__anonymised_at"))
UNSUBSCRIBED_FIRST = Q(
    channel="crm",
    action__in=["register", "preferences"],
    registration__kind="newsletter",
    registration__unsubscribed_at__isnull=False,
    registration__unsubscribed_at__lte=F("delivered_at"),
    crm_person_id="",
)


def never_sent(Delivery):
    """The delivered rows that were closed without being sent (the docstring's three criteria)."""
    return Delivery.objects.filter(status="delivered").filter(NOT_SENT | ERASED | UNSUBSCRIBED_FIRST)


def cancel(apps, schema_editor):
    Delivery = apps.get_model("intake", "Delivery")
    pks = list(never_sent(Delivery).values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=pks).update(status="cancelled", delivered_at=None)


def uncancel(apps, schema_editor):
    Delivery = apps.get_model("intake", "Delivery")
    for pk, last_attempt_at, created_at in Delivery.objects.filter(status="cancelled").values_list(
        "pk", "last_attempt_at", "created_at"
    ):
        Delivery.objects.filter(pk=pk).update(status="delivered", delivered_at=last_attempt_at or created_at)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0015_fill_magazine_address_municipality"),
    ]

    operations = [
        migrations.AlterField(
            model_name="delivery",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("retrying", "Retrying"),
                    ("delivered", "Delivered"),
                    ("failed", "Failed"),
                    ("cancelled", "Closed, not sent"),
                ],
                default="pending",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(cancel, uncancel),
    ]
