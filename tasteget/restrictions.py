"""Public pages without a query for Wagtail's view restrictions each time.

`PageQuerySet.public()` reads every PageViewRestriction each time it is
called (search calls it once per language it looks in). The restricted
paths are the same for every request until a restriction changes, so they
are kept until the whole site is purged, and a restriction saved or deleted
purges the whole site (a page that became private must leave every cached
page and listing at once).
"""

from django.db.models.signals import post_delete, post_save
from wagtail.models import PageViewRestriction

from . import pagecache


def restricted_paths():
    return pagecache.site_wide(
        "restricted-paths", lambda: list(PageViewRestriction.objects.values_list("page__path", flat=True))
    )


def public(pages):
    """`pages` without those under a view restriction (as Wagtail's `public()`)."""
    for path in restricted_paths():
        pages = pages.exclude(path__startswith=path)
    return pages


def restriction_changed(**_kwargs):
    pagecache.purge_all()


post_save.connect(restriction_changed, sender=PageViewRestriction, dispatch_uid="tasteget-restriction-saved")
post_delete.connect(restriction_changed, sender=PageViewRestriction, dispatch_uid="tasteget-restriction-deleted")
