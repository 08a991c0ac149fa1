"""Translation state, in one place: locales from settings, and whether a
page is a real translation, an alias, or a translation not finished yet.

Every language in TASTEGET_LANGUAGES gets a Wagtail locale. Swedish is the
editors' source and English is kept complete by hand; each extra locale
(German, Arabic …) is synchronised from Swedish by wagtail-localize, so every
page exists there at once as an *alias* of the Swedish page until an editor
translates it. A visitor who reaches a page that is not in their language —
an alias, or a Swedish page Wagtail fell back to — sees it in the language
it is written in, marked as such, with a notice in their own language that
offers the translations there are (see `before_serve_page` in wagtail_hooks).
"""

import functools
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import translation
from wagtail.models import Locale, Page, PageLogEntry
from wagtail_localize.fields import SynchronizedField, TranslatableField
from wagtail_localize.models import LocaleSynchronization
from wagtail_localize.synctree import synchronize_tree

# Kept complete by editors; never filled with aliases.
HAND_TRANSLATED = {"sv", "en"}


@transaction.atomic
def ensure_locales():
    """Create the configured locales and synchronise the extra ones from Swedish.

    Returns the language codes that were synchronised. Safe to run again: only
    pages without a translation or alias get one.
    """
    source, _created = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    synchronised = []
    for code, _name in settings.LANGUAGES:
        locale, _created = Locale.objects.get_or_create(language_code=code)
        if code in HAND_TRANSLATED:
            continue
        # Save without the post_save signal's background sync; sync here, now.
        if not LocaleSynchronization.objects.filter(locale=locale).exists():
            LocaleSynchronization.objects.bulk_create([LocaleSynchronization(locale=locale, sync_from=source)])
        synchronize_tree(source, locale)
        synchronised.append(code)
    return synchronised


# wagtail-localize turns an alias into a page as soon as an editor *starts*
# translating it; it still holds the Swedish text until the translation is
# published. Its log tells: converted, and not published since.
CONVERTED = "wagtail.convert_alias"
PUBLISHED = "wagtail.publish"
_locale_codes = {}


def locale_code(locale_id):
    """A locale's language code, without a query per page (reloaded on a miss)."""
    if locale_id not in _locale_codes:
        _locale_codes.update(Locale.objects.values_list("pk", "language_code"))
    return _locale_codes[locale_id]


def awaiting_translation(page_ids):
    """Of these pages, the former aliases whose translation is not published yet. One query."""
    if not page_ids:
        return set()
    latest = {}
    entries = PageLogEntry.objects.filter(page_id__in=page_ids, action__in=[CONVERTED, PUBLISHED])
    for page_id, action in entries.order_by("timestamp", "pk").values_list("page_id", "action"):
        latest[page_id] = action
    return {page_id for page_id, action in latest.items() if action == CONVERTED}


def latest_translation_action():
    """For querysets: the newest of "converted from an alias" and "published"."""
    entries = PageLogEntry.objects.filter(page_id=OuterRef("pk"), action__in=[CONVERTED, PUBLISHED])
    return Subquery(entries.order_by("-timestamp", "-pk").values("action")[:1])


def content_language(page):
    """The language a page's text is written in: an alias, or a translation
    not yet published, still shows its Swedish original's.

    Uses the value `with_content_languages` stored on the page when a listing
    computed it for many pages at once; otherwise one or two queries.
    """
    if CACHED in page.__dict__:
        return page.__dict__[CACHED]
    with_content_languages([page])
    return page.__dict__[CACHED]


CACHED = "_content_language"


def with_content_languages(pages):
    """Store on each page the language its text is written in (see
    `content_language`). Two queries at most, however many pages; returns
    the pages, so a listing can write `pages = with_content_languages(...)`."""
    pages = list(pages)
    todo = [page for page in pages if CACHED not in page.__dict__]
    alias_sources = {page.alias_of_id for page in todo if page.alias_of_id}
    source_locales = (
        dict(Page.objects.filter(pk__in=alias_sources).values_list("pk", "locale_id")) if alias_sources else {}
    )
    candidates = [
        page.pk for page in todo if not page.alias_of_id and locale_code(page.locale_id) not in HAND_TRANSLATED
    ]
    awaiting = awaiting_translation(candidates)
    for page in todo:
        if page.alias_of_id:
            source = source_locales.get(page.alias_of_id)
            language = locale_code(source) if source else None
        elif page.pk in awaiting:
            language = settings.LANGUAGE_CODE
        else:
            language = locale_code(page.locale_id)
        page.__dict__[CACHED] = language
    return pages


# The fields of wagtail's Page as wagtail-localize treats them, for pages that
# list their translatable fields themselves.
PAGE_TRANSLATABLE_FIELDS = [
    TranslatableField("title"),
    TranslatableField("slug"),
    SynchronizedField("show_in_menus"),
    TranslatableField("seo_title"),
    TranslatableField("search_description"),
]


class LocalSnippetsMixin:
    """Snippets chosen on a page follow the page's language.

    wagtail-localize would translate a chosen snippet (a municipality) along
    with the page, creating a Swedish-named copy in the target language. The
    pages declare such fields as `SynchronizedField(..., overridable=False)`:
    the translation starts with the source's choice, and every save (the
    translation's first included, draft or live) points each one at its
    translation in the page's language when there is one. Where there is
    none, the source's snippet stays: a name not yet translated, never a copy.
    """

    local_snippet_fields = ()

    def save(self, *args, **kwargs):
        self.choose_local_snippets()
        return super().save(*args, **kwargs)

    def choose_local_snippets(self):
        for name in self.local_snippet_fields:
            field = self._meta.get_field(name)
            if field.many_to_many:
                chosen = list(getattr(self, name).all())
                local = [in_locale(snippet, self.locale_id) for snippet in chosen]
                if [snippet.pk for snippet in local] != [snippet.pk for snippet in chosen]:
                    setattr(self, name, local)
            elif getattr(self, field.attname) is not None:
                setattr(self, name, in_locale(getattr(self, name), self.locale_id))


def in_locale(snippet, locale_id):
    """The translation of `snippet` in this locale, or the snippet itself."""
    if snippet.locale_id == locale_id:
        return snippet
    translation = type(snippet)._default_manager.filter(translation_key=snippet.translation_key, locale_id=locale_id)
    return translation.first() or snippet


@functools.cache
def has_catalogue(language_code):
    """Whether the site has interface texts in this language (locale/<code>)."""
    return any((Path(path) / language_code / "LC_MESSAGES" / "django.mo").exists() for path in settings.LOCALE_PATHS)


def visitor_language(request):
    """The language the visitor chose when the page is shown in another
    (see home/wagtail_hooks.py), if the site has texts in it; else None."""
    requested = getattr(request, "requested_language", None)
    return requested if requested and has_catalogue(requested) else None


def follow_visitor_language(request):
    """Show the interface around an untranslated page's text in the visitor's
    language: forms, errors, thank-you pages and what we send afterwards are
    ours to translate, even when the editors' text is not translated yet.

    The page's own text keeps its language (templates mark it with
    `lang_attrs`); `request.shown_language` tells the notice which that is.
    """
    language = visitor_language(request)
    if language and language != translation.get_language():
        request.shown_language = translation.get_language()
        translation.activate(language)
        request.LANGUAGE_CODE = language
