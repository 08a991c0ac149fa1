"""Finding the site and the page of a request in a fixed, small number of queries.

Wagtail finds a request's site with one query per request, and routes a
path one level at a time: the home page in the visitor's language, then per
level the child by slug and its specific row, so a story costs six queries
before it renders. Both answers are the same for every visitor of a path
until that path is purged (home/purge.py: publish, unpublish, move, slug
change, delete), so they are kept with the page cache's generations:

- the site of a host name is kept until the whole site is purged (a Site
  saved or deleted purges everything, below);
- the page that serves a path (its id, type, how much of the path it
  consumed, and the pages whose view restrictions would apply to it) is
  kept with that path's generation; the request then reads
  the page's own row (one query) and asks the page to route the rest, so
  routable pages (forms, the ambassador directory) answer their sub-paths
  as before, and an unpublished page still answers 404.

Wagtail reads both from the request when they are there
(`request._wagtail_site`, `request._wagtail_route_for_request`); anything
this cannot answer falls back to Wagtail's own routing.
"""

import contextlib

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError
from django.db.models.signals import post_delete, post_save
from django.http import Http404
from django.utils import translation
from wagtail import views as wagtail_views
from wagtail.models import Page, Site

from . import pagecache, restrictions, translations


class CachedRoutingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(NOT_PAGES):
            # On failure Wagtail answers as it always does (an outage: the 503 page).
            with contextlib.suppress(Site.DoesNotExist, DatabaseError):
                request._wagtail_site = cached_site(request)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is not wagtail_views.serve or getattr(request, "_wagtail_site", None) is None:
            return None
        # In an outage the view meets it too, and the outage middleware answers 503.
        with contextlib.suppress(DatabaseError):
            self.route(request, view_args, view_kwargs)
        return None

    @staticmethod
    def route(request, view_args, view_kwargs):
        path = view_kwargs.get("path", view_args[0] if view_args else "")
        found = pagecache.page_part(
            request,
            f"page-route:{translation.get_language()}",
            lambda: locate(request, path),
            seconds=lambda found: route_seconds(found, path),
        )
        if found is None:
            return
        page_id, content_type_id, consumed, language, url_path, checked_ids = found
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        pages = model.objects.filter(pk=page_id) if model else Page.objects.none()
        restricted = restrictions.may_apply(checked_ids)
        if restricted:
            # With its original, which Wagtail's view-restriction check reads for an alias.
            pages = pages.select_related("alias_of")
        page = pages.first()
        if page is None or page.url_path != url_path:
            return  # deleted or moved since (a sub-page's address is not purged): Wagtail routes it
        components = [component for component in path.split("/") if component]
        if consumed == len(components):
            page.__dict__[translations.CACHED] = language
        if not restricted:
            restrictions.skip_check(page)
        try:
            request._wagtail_route_for_request = page.route(request, components[consumed:])
        except Http404:
            request._wagtail_route_for_request = None


NOT_PAGES = ("/static/", "/media/", "/healthz")


def route_seconds(found, path):
    """A path a page serves whole is kept as long as pages; one no page
    serves whole (a 404, or a routable page's sub-path) briefly, so that
    addresses made up by visitors do not fill the cache."""
    components = [component for component in path.split("/") if component]
    if found is not None and found[2] == len(components):
        return settings.PAGE_CACHE_SECONDS
    return settings.PAGE_CACHE_404_SECONDS


def cached_site(request):
    key = f"site:{request.get_host()}"
    return pagecache.site_wide(key, lambda: Site._find_for_request(request))


def locate(request, path):
    """(id, content type, path components consumed, language of its text,
    url_path, ids a view restriction on which would apply to it) of the
    deepest page on the path under the home page in the active language;
    None without one."""
    site = request._wagtail_site
    root = site.root_page.localized
    components = [component for component in path.split("/") if component]
    prefixes = [root.url_path + "".join(f"{part}/" for part in components[:n]) for n in range(len(components) + 1)]
    found = (
        Page.objects.filter(url_path__in=prefixes, path__startswith=root.path)
        .order_by("-depth")
        .values_list("pk", "content_type_id", "depth", "locale_id", "alias_of_id", "url_path", "path")
        .first()
    )
    if found is None:
        return None
    page_id, content_type_id, depth, locale_id, alias_of_id, url_path, tree_path = found
    page = Page(pk=page_id, locale_id=locale_id, alias_of_id=alias_of_id, path=tree_path)
    language = translations.content_language(page)
    return (page_id, content_type_id, depth - root.depth, language, url_path, restrictions.pages_to_check(page))


def purge_sites(**_kwargs):
    pagecache.purge_all()


post_save.connect(purge_sites, sender=Site, dispatch_uid="tasteget-routing-site-saved")
post_delete.connect(purge_sites, sender=Site, dispatch_uid="tasteget-routing-site-deleted")
