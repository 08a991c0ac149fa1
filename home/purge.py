"""Which cached pages show a page or a snippet, and purging exactly those.

The page cache (tasteget/pagecache.py) and a CDN or front cache in front
(wagtail.contrib.frontend_cache, configured by environment) are purged here
when content changes: a page published, unpublished, moved or deleted, or a
snippet that pages show saved or deleted. What shows what:

- a page is shown at its own address, by its translations and aliases (the
  language switcher, the alias's copy of its content), by its parent (the
  listings of stories, guides, issues), by every page that chose it (Wagtail's
  reference index: featured pages, the registration page), and by the sitemap;
- stories also on the home pages, their municipality's pages and the stories
  that list them as related; issues on the home pages; municipality pages on
  the home pages and the Region's page; the singleton pages that the home and
  municipality pages link to (story index, magazine, coworking, ambassadors,
  the magazine order page) on those pages;
- a page chosen in the site settings (menu, footer), and the registration and
  newsletter pages (linked from the menu of every page), on every page: the
  whole site's generation is renewed;
- snippets: see `SNIPPET_RULES`;
- kept search results (the "search" topic): any page above, a coworking
  space, a municipality, an editor's pick for a query.

Signals, connected in `HomeConfig.ready()`, because Wagtail's publishing
(the admin, scheduled publishing, code) announces itself only through them.
The page cache is purged at once and again after the transaction commits: a
request that rendered the old content between the two stored it under the
old generation, so it is never served. After the commit every Varnish in
FRONTEND_CACHE_PURGE_URLS gets a PURGE of the same paths' surrogate keys
(home/frontcache.py: each path with every query string; a full-site purge
keeps the pages in grace unless `at_once`) and the CDNs configured for
Wagtail get the URLs. A cache that cannot take the purge (Redis or a
Varnish down) never fails the publish: the purge is kept as a
`PendingPurge` and housekeeping sends it again every minute until it is
taken (`retry_pending`).
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_delete
from django.utils import timezone
from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache
from wagtail.contrib.search_promotions.models import SearchPromotion
from wagtail.models import Page, PageViewRestriction, ReferenceIndex
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move, pre_page_move

from ambassadors.models import Ambassador, AmbassadorDirectoryPage
from events.models import EventIndexPage, EventPage
from intake.models import MagazineOrderPage, NewsletterPage, RegistrationPage
from magazine.models import MagazineIndexPage, MagazineIssuePage
from places.models import Adviser, CoworkingIndexPage, CoworkingSpace, Municipality
from stories.models import StoryIndexPage, StoryPage, StoryTopic
from tasteget import pagecache

from . import frontcache
from .models import HomePage, MunicipalityPage, PendingPurge, SiteSettings

logger = logging.getLogger(__name__)

SITEMAP_PATH = "/sitemap.xml"
# Pages the header or footer of every page links to (tasteget_tags.site_frame).
SITE_WIDE_TYPES = (RegistrationPage, NewsletterPage, HomePage)
# Pages the home and municipality pages link to (listings.first_page).
LINKED_FROM_HOME = (
    StoryIndexPage,
    MagazineIndexPage,
    CoworkingIndexPage,
    AmbassadorDirectoryPage,
    MagazineOrderPage,
    EventIndexPage,
)


class Purge:
    """Paths and full URLs to purge, collected from pages, then sent once."""

    def __init__(self):
        self.paths = set()
        self.urls = set()
        self.topics = set()  # data kept for forms (pagecache.site_wide's topics)
        self.everything = False
        # A full-site purge drops the front caches' pages at once instead of
        # keeping them in grace (a page became private: never serve it stale).
        self.at_once = False

    def add_pages(self, pages):
        for page in pages:
            self.add_page(page)

    def add_page(self, page):
        parts = page.get_url_parts()
        if parts is None:
            return
        _site_id, root_url, page_path = parts
        for sub_path in page.specific_deferred.get_cached_paths():
            path = page_path.rstrip("/") + "/" + sub_path.lstrip("/")
            self.add_path(path, root_url)

    def add_path(self, path, root_url=""):
        self.paths.add(path)
        if root_url:
            self.urls.add(root_url.rstrip("/") + path)

    def send(self):
        paths, urls, everything, at_once = set(self.paths), set(self.urls), self.everything, self.at_once
        topics = set(self.topics)
        # At once, the page cache only (inside the transaction; a failure
        # here is sent again below) ...
        try:
            purge_page_cache(paths, everything, topics)
        except Exception:
            logger.warning("Page cache purge failed; sent again after the commit", exc_info=True)
        # ... and after the commit, every cache; what fails is kept and sent again.
        transaction.on_commit(lambda: run(paths, urls, everything, topics, at_once))


PAGES_TARGET = "pages"


def purge_page_cache(paths, everything, topics):
    pagecache.purge_topics(topics)
    if everything:
        pagecache.purge_all()
    else:
        pagecache.purge_paths(paths)


def run(paths, urls, everything, topics=(), at_once=False):
    """Purge the page cache, every Varnish and the CDNs; never raises. A cache
    that fails gets the purge again from housekeeping (`PendingPurge`)."""
    failed, errors = try_targets([PAGES_TARGET, *frontcache.locations()], paths, everything, topics, at_once)
    if failed:
        keep(paths, everything, topics, failed, errors, at_once)
    if cdn_backends():
        if everything:
            # A CDN is purged by URL: every live page's.
            urls = urls | {url for page in Page.objects.live().exclude(depth=1) for url in full_urls(page)}
        if urls:
            try:
                purge_urls_from_cache(sorted(urls), backends=cdn_backends())
            except Exception:
                logger.exception("Could not enqueue the CDN purge of %s URLs", len(urls))


def cdn_backends():
    """Wagtail's frontend-cache backends (Cloudflare, CloudFront): purged by URL through its task."""
    return list(getattr(settings, "WAGTAILFRONTENDCACHE", {}) or {})


def try_targets(targets, paths, everything, topics, at_once=False):
    """(targets that failed, their errors) after purging each of `targets`."""
    failed, errors = [], []
    if PAGES_TARGET in targets:
        try:
            purge_page_cache(paths, everything, topics)
        except Exception as error:  # noqa: BLE001 - Redis down, or anything the cache raises
            failed.append(PAGES_TARGET)
            errors.append(f"pages: {error!r}")
    varnishes = [target for target in targets if target != PAGES_TARGET]
    if varnishes:
        try:
            frontcache.purge(paths, everything, at_once, only=varnishes)
        except frontcache.FrontCacheError as error:
            failed.extend(error.locations)
            errors.append(str(error))
    return failed, errors


def keep(paths, everything, topics, targets, errors, at_once=False):
    logger.warning("Cache purge kept to be sent again (%s): %s", ", ".join(targets), "; ".join(errors))
    try:
        PendingPurge.objects.create(
            paths=sorted(paths),
            everything=everything,
            at_once=at_once,
            topics=sorted(topics),
            targets=targets,
            last_error="; ".join(errors),
        )
    except Exception:
        logger.exception("Could not keep a failed cache purge (%s)", ", ".join(targets))


def retry_pending(limit=200):
    """Send the kept purges again (housekeeping, every minute); a cache
    failure never raises. Returns how many are still pending."""
    configured = {PAGES_TARGET, *frontcache.locations()}
    for pending in PendingPurge.objects.all()[:limit]:
        # A Varnish no longer configured is not waited for.
        targets = [target for target in pending.targets if target in configured]
        failed, errors = try_targets(targets, pending.paths, pending.everything, pending.topics, pending.at_once)
        if not failed:
            pending.delete()
            continue
        pending.targets, pending.last_error = failed, "; ".join(errors)
        pending.attempts += 1
        pending.save(update_fields=["targets", "last_error", "attempts", "tried_at"])
    return PendingPurge.objects.count()


def purge_topic(topic):
    """Make stale what the page cache keeps about `topic`, now (outside a
    publish: the search index updated by the worker); kept and sent again
    when the cache cannot take it."""
    failed, errors = try_targets([PAGES_TARGET], set(), False, {topic})
    if failed:
        keep(set(), False, {topic}, failed, errors)


def purge_everything(at_once=False):
    """Every page in every cache. The front caches keep the pages in grace
    (each is served stale while one request renders it anew) unless
    `at_once` (a view restriction changed)."""
    purge = Purge()
    purge.everything = True
    purge.at_once = at_once
    purge.send()


def full_urls(page):
    parts = page.get_url_parts()
    if parts is None:
        return []
    _site_id, root_url, page_path = parts
    return [root_url.rstrip("/") + page_path.rstrip("/") + "/" + sub.lstrip("/") for sub in page.get_cached_paths()]


def translation_groups(pages):
    """The pages, their translations, and the aliases of all of them."""
    keys = {page.translation_key for page in pages}
    group = Page.objects.filter(translation_key__in=keys)
    return Page.objects.filter(Q(translation_key__in=keys) | Q(alias_of__in=group))


def referencing(objects):
    """(pages, whether site settings) that choose any of `objects` (reference index)."""
    references = ReferenceIndex.get_references_to_in_bulk(list(objects))
    page_type = ReferenceIndex._get_base_content_type(Page)
    settings_type = ReferenceIndex._get_base_content_type(SiteSettings)
    page_ids = set()
    settings_chosen = False
    for base_type_id, object_id in references.values_list("base_content_type_id", "object_id").distinct():
        if base_type_id == page_type.pk:
            page_ids.add(int(object_id))
        elif base_type_id == settings_type.pk:
            settings_chosen = True
    return page_ids, settings_chosen


def municipality_pages_of(municipality_keys):
    return MunicipalityPage.objects.live().filter(municipality__translation_key__in=municipality_keys)


def purge_for_pages(pages, purge=None):
    purge = purge or Purge()
    pages = list(pages)
    if not pages:
        return purge
    group = list(translation_groups(pages).specific(defer=True))
    purge.add_pages(group)
    purge.topics.add("search")  # kept search results (search/views.py) may list or miss it
    purge.add_path(SITEMAP_PATH)
    purge.add_pages(Page.objects.filter(pk__in={page.get_parent().pk for page in group if page.depth > 2}))
    chosen_by, settings_chosen = referencing(group)
    if settings_chosen or any(isinstance(page, SITE_WIDE_TYPES) for page in group):
        purge.everything = True
    purge.add_pages(translation_groups(Page.objects.filter(pk__in=chosen_by)))
    home_pages = HomePage.objects.live()
    stories = [page for page in group if isinstance(page, StoryPage)]
    if stories:
        purge.add_pages(home_pages)
        municipality_keys = {story.municipality.translation_key for story in stories}
        purge.add_pages(municipality_pages_of(municipality_keys))
        topic_keys = StoryTopic.objects.filter(stories__in=stories).values("translation_key")
        purge.add_pages(
            StoryPage.objects.live().filter(
                Q(municipality__translation_key__in=municipality_keys) | Q(topics__translation_key__in=topic_keys)
            )
        )
    meetups = [page for page in group if isinstance(page, EventPage)]
    if meetups:
        # Listed on the home pages, their municipality's pages (the county's on every one).
        purge.add_pages(home_pages)
        if any(page.municipality.kind == Municipality.Kind.REGION for page in meetups):
            purge.add_pages(MunicipalityPage.objects.live())
        else:
            purge.add_pages(municipality_pages_of({page.municipality.translation_key for page in meetups}))
            purge.add_pages(MunicipalityPage.objects.live().filter(municipality__kind=Municipality.Kind.REGION))
    if any(isinstance(page, (MagazineIssuePage, MunicipalityPage, *LINKED_FROM_HOME)) for page in group):
        purge.add_pages(home_pages)
    if any(isinstance(page, MunicipalityPage) for page in group):
        purge.add_pages(MunicipalityPage.objects.live().filter(municipality__kind=Municipality.Kind.REGION))
    if any(isinstance(page, LINKED_FROM_HOME) for page in group):
        purge.add_pages(MunicipalityPage.objects.live())
    return purge


def purge_pages(pages):
    purge_for_pages(pages).send()


# --- Snippets -------------------------------------------------------------------


def municipality_keys_of(instance):
    municipality = instance if isinstance(instance, Municipality) else instance.municipality
    return {municipality.translation_key}


def for_municipality(instance, purge):
    purge.topics.update(["municipalities", "advisers"])  # the forms' choices, where registrations go
    purge.topics.add("search")  # its name is a spelling the search suggests
    keys = municipality_keys_of(instance)
    purge.add_pages(municipality_pages_of(keys))
    purge.add_pages(StoryPage.objects.live().filter(municipality__translation_key__in=keys))
    purge.add_pages(
        Page.objects.live().type(HomePage, StoryIndexPage, CoworkingIndexPage, AmbassadorDirectoryPage).specific()
    )


def for_topic(instance, purge):
    purge.add_pages(StoryPage.objects.live().filter(topics__translation_key=instance.translation_key))
    purge.add_pages(StoryIndexPage.objects.live())


def for_coworking_space(instance, purge):
    purge.topics.add("search")  # the search lists spaces
    purge.add_pages(municipality_pages_of(municipality_keys_of(instance)))
    purge.add_pages(CoworkingIndexPage.objects.live())


def for_ambassador(instance, purge):
    purge.add_pages(municipality_pages_of(municipality_keys_of(instance)))
    purge.add_pages(HomePage.objects.live())
    purge.add_pages(AmbassadorDirectoryPage.objects.live())
    purge.add_path(SITEMAP_PATH)  # it lists the published profiles


def for_adviser(instance, purge):
    purge.topics.add("advisers")
    purge.add_pages(municipality_pages_of(municipality_keys_of(instance)))


def meetups_started(now=None, period=None):
    """A meet-up that started leaves the listings and goes to the archive: the
    pages listing it are purged when it starts (the scheduler, hourly)."""
    now = now or timezone.now()
    period = period or timezone.timedelta(hours=1)
    started = EventPage.objects.live().filter(start__lte=now, start__gt=now - period).specific(defer=True)
    if started.exists():
        purge_pages(started)


def for_site_settings(instance, purge):
    purge.everything = True


SNIPPET_RULES = {
    Municipality: for_municipality,
    StoryTopic: for_topic,
    CoworkingSpace: for_coworking_space,
    Ambassador: for_ambassador,
    Adviser: for_adviser,
    SiteSettings: for_site_settings,
}


def snippet_changed(sender, instance, **kwargs):
    purge = Purge()
    try:
        SNIPPET_RULES[sender](instance, purge)
    except (Municipality.DoesNotExist, AttributeError):
        # A row deleted with its municipality: that deletion purges.
        return
    purge.send()


# --- Pages ------------------------------------------------------------------------


def page_changed(sender, instance, **kwargs):
    purge_pages([instance])


def page_deleted(sender, instance, **kwargs):
    # Before the row goes: its parent, references and URLs are still known.
    if instance.live and instance.depth > 1:
        purge_pages([instance.specific_deferred])


# Collected before a move, sent after it (the two signals carry different instances).
_moves = {}


def page_moving(sender, instance, **kwargs):
    """Before a move: everything that shows the page and its subtree at the old place."""
    subtree = Page.objects.descendant_of(instance, inclusive=True).live().specific(defer=True)
    _moves[instance.pk] = purge_for_pages(subtree)


def page_moved(sender, instance, **kwargs):
    subtree = Page.objects.descendant_of(instance, inclusive=True).live().specific(defer=True)
    purge_for_pages(subtree, _moves.pop(instance.pk, None)).send()


def slug_changed(sender, instance_before, instance, **kwargs):
    """A new slug: the old addresses of the page and its subpages are purged too."""
    purge = purge_for_pages([instance])
    before, after = instance_before.get_url_parts(), instance.get_url_parts()
    if before and after:
        for page in Page.objects.descendant_of(instance, inclusive=True).live():
            parts = page.get_url_parts()
            if parts and parts[2].startswith(after[2]):
                purge.add_path(before[2] + parts[2][len(after[2]) :], before[1])
    purge.send()


def promotion_changed(**_kwargs):
    """An editor's pick for a query saved or deleted: kept search results are stale."""
    purge = Purge()
    purge.topics.add("search")
    purge.send()


def restriction_changed(**_kwargs):
    """A view restriction saved or deleted: every cache, the front caches too
    (tasteget/restrictions.py keeps the restricted paths until then). At
    once, not kept in grace: a page that became private, and every listing
    that shows it, must never be served from a front cache again."""
    purge_everything(at_once=True)


def connect():
    post_save.connect(restriction_changed, sender=PageViewRestriction, dispatch_uid="tasteget-restriction-saved")
    post_delete.connect(restriction_changed, sender=PageViewRestriction, dispatch_uid="tasteget-restriction-deleted")
    post_save.connect(promotion_changed, sender=SearchPromotion, dispatch_uid="tasteget-promotion-saved")
    post_delete.connect(promotion_changed, sender=SearchPromotion, dispatch_uid="tasteget-promotion-deleted")
    page_published.connect(page_changed, dispatch_uid="tasteget_purge_published")
    page_unpublished.connect(page_changed, dispatch_uid="tasteget_purge_unpublished")
    pre_delete.connect(page_deleted, sender=Page, dispatch_uid="tasteget_purge_deleted")
    pre_page_move.connect(page_moving, dispatch_uid="tasteget_purge_moving")
    post_page_move.connect(page_moved, dispatch_uid="tasteget_purge_moved")
    page_slug_changed.connect(slug_changed, dispatch_uid="tasteget_purge_slug")
    for model in SNIPPET_RULES:
        post_save.connect(snippet_changed, sender=model, dispatch_uid=f"tasteget_purge_save_{model.__name__}")
        post_delete.connect(snippet_changed, sender=model, dispatch_uid=f"tasteget_purge_delete_{model.__name__}")
