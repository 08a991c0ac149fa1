"""The fixed answers of the registration forms, shared by the forms, the
models and the admin (a module of its own so that forms need not import models)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    GUIDANCE = "guidance", _("Moving guidance")
    MAGAZINE = "magazine", _("Magazine order")
    NEWSLETTER = "newsletter", _("Newsletter subscription")
    # A sign-up for a newcomer meet-up (events/): the person and the consent
    # are a registration, so they reach the CRM through the same outbox.
    EVENT = "event", _("Meet-up sign-up")


class ContactMethod(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")


class MoveWhen(models.TextChoices):
    SOON = "within_6_months", _("Within six months")
    THIS_YEAR = "6_12_months", _("In six to twelve months")
    LATER = "1_2_years", _("In one to two years")
    UNDECIDED = "undecided", _("I do not know yet")


class Topic(models.TextChoices):
    PLACE = "place", _("The county, municipality or town")
    JOBS = "jobs", _("Ways into a job")
    RECRUITMENT = "recruitment", _("Recruitment companies")
    NETWORKS = "networks", _("Professional and social networks")
    REMOTE_WORK = "remote_work", _("Bringing a remote job")
    BUSINESS = "business", _("Starting a business")
    HOUSING = "housing", _("Housing")
    SCHOOL = "school", _("Studies, school and childcare")
    LEISURE = "leisure", _("Clubs and leisure")


class Fulfilment(models.TextChoices):
    NEW = "new", _("New")
    SENT = "sent", _("Sent")


class ContactStatus(models.TextChoices):
    """Where the adviser's dialogue with a person for guidance stands."""

    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    IN_DIALOGUE = "in_dialogue", _("In dialogue")
    MOVED = "moved", _("Moved here")
    NOT_MOVING = "not_moving", _("Not moving")
    NO_ANSWER = "no_answer", _("No answer")


class AddressArea(models.TextChoices):
    """Where a magazine order's postal address lies (intake.services.magazine_address_area)."""

    COUNTY = "county", _("In the county")
    OUTSIDE = "outside", _("Outside the county")
    UNKNOWN = "", _("Not known")
