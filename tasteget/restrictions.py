"""Public pages without a query for Wagtail's view restrictions each time.

`PageQuerySet.public()` reads every PageViewRestriction each time it is
called (search calls it once per language it looks in). The restricted
paths are the same for every request until a restriction changes, so they
are kept until the whole site is purged, and a restriction saved or deleted
purges the whole site, the front caches included (a page that became private
must leave every cached page and listing at once): home/purge.py's
`restriction_changed`, which can reach Varnish.
"""

from wagtail.models import Page, PageViewRestriction

from . import pagecache


def restricted_paths():
    return pagecache.site_wide(
        "restricted-paths", lambda: list(PageViewRestriction.objects.values_list("page__path", flat=True))
    )


def restricted_page_ids():
    """Ids of the pages that carry a view restriction (usually none)."""
    return pagecache.site_wide(
        "restricted-page-ids", lambda: set(PageViewRestriction.objects.values_list("page_id", flat=True))
    )


def pages_to_check(page):
    """The ids Wagtail's `get_view_restrictions` looks at for `page`: the page
    and its ancestors, each alias replaced by its original (one query)."""
    rows = Page.objects.filter(path__in=[page.path[:end] for end in range(4, len(page.path) + 1, 4)])
    return sorted({alias_of or pk for pk, alias_of in rows.values_list("pk", "alias_of_id")})


def may_apply(checked_ids):
    """Whether a view restriction is set on any of `checked_ids` (from `pages_to_check`)."""
    return bool(restricted_page_ids().intersection(checked_ids))


def skip_check(page):
    """Spare the two queries of Wagtail's view-restriction check on a page
    that `may_apply` found unrestricted: the usual case."""
    page.get_view_restrictions = PageViewRestriction.objects.none


def public(pages):
    """`pages` without those under a view restriction (as Wagtail's `public()`)."""
    for path in restricted_paths():
        pages = pages.exclude(path__startswith=path)
    return pages
