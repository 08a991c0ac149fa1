"""PostgreSQL full-text search in each content language's own text search
configuration.

Wagtail's PostgreSQL backend (modelsearch) writes every index entry and
reads every query with one configuration, `SEARCH_CONFIG`. Here:

- an object is indexed with the configuration of its own language: its
  locale's for translatable models (pages, coworking spaces), the
  language-neutral one for everything else (images, documents, …);
- a query on a translatable model uses the configuration of the locale the
  queryset is filtered to (`.filter(locale=…)`, as the site search does),
  else that of the active language; a query on any other model uses the
  language-neutral one. Either way the query is parsed as the objects it
  searches were indexed;
- autocomplete (title prefixes) is language-neutral, never stemmed.

The configurations (Swedish, English, German and Arabic stemming, accents folded with
unaccent) are created by search/migrations/0002_text_search_configurations.py.
Settings use this backend only on PostgreSQL; SQLite keeps Wagtail's SQLite
FTS backend. After a change here, rebuild the index: `manage.py update_index`.
"""

import copy

from django.db.models.expressions import Col
from django.utils.functional import cached_property
from django.utils.translation import get_language
from modelsearch.backends.database.postgres.postgres import (
    PostgresIndex,
    PostgresSearchBackend,
    PostgresSearchQueryCompiler,
)
from wagtail.models import Locale, TranslatableMixin

from tasteget import locales

# Language code (primary subtag) → text search configuration.
LANGUAGE_CONFIGS = {"sv": "tasteget_sv", "en": "tasteget_en", "de": "tasteget_de", "ar": "tasteget_ar"}
# Other languages, content without a language and autocomplete: accents
# folded, no stemming.
NEUTRAL_CONFIG = "tasteget_simple"


def config_for_language(language_code):
    if not language_code:
        return NEUTRAL_CONFIG
    return LANGUAGE_CONFIGS.get(language_code.split("-")[0].lower(), NEUTRAL_CONFIG)


def is_translatable(model):
    return issubclass(model, TranslatableMixin)


class LanguageIndex(PostgresIndex):
    def add_items(self, model, objs):
        """Index the objects in groups, one per text search configuration."""
        objs = list(objs)
        if is_translatable(model):
            locale_ids = {obj.locale_id for obj in objs}
            languages = dict(Locale.objects.filter(pk__in=locale_ids).values_list("pk", "language_code"))
            configs = [config_for_language(languages.get(obj.locale_id)) for obj in objs]
        else:
            configs = [self.backend.config] * len(objs)
        groups = {}
        for obj, config in zip(objs, configs, strict=True):
            groups.setdefault(config, []).append(obj)
        for config, group in groups.items():
            # Wagtail's indexer reads the configuration from the backend.
            PostgresIndex(self.backend.with_config(config)).add_items(model, group)


def filtered_locale_id(queryset):
    """The locale a queryset is limited to by a top-level `filter(locale=…)`, or None."""
    where = queryset.query.where
    if where.connector != "AND" or where.negated:
        return None
    for child in where.children:
        lhs = getattr(child, "lhs", None)
        if (
            getattr(child, "lookup_name", None) == "exact"
            and isinstance(lhs, Col)
            and lhs.target.name == "locale"
            and lhs.target.related_model is Locale
            and isinstance(child.rhs, int)
        ):
            return child.rhs
    return None


class LanguageQueryCompiler(PostgresSearchQueryCompiler):
    def get_config(self, backend):
        if is_translatable(self.queryset.model):
            return config_for_language(self.language)
        return backend.config

    @cached_property
    def language(self):
        locale_id = filtered_locale_id(self.queryset)
        if locale_id is not None:
            language = locales.language_code_of(locale_id)
            if language:
                return language
        return get_language()


class SearchBackend(PostgresSearchBackend):
    index_class = LanguageIndex
    query_compiler_class = LanguageQueryCompiler
    # autocomplete_query_compiler_class stays Wagtail's: it uses autocomplete_config.

    def __init__(self, params):
        super().__init__(params)
        # Wagtail's option, here for content without a language only.
        self.config = params.get("SEARCH_CONFIG") or NEUTRAL_CONFIG
        self.autocomplete_config = NEUTRAL_CONFIG

    def with_config(self, config):
        """A copy of this backend that indexes with `config`."""
        backend = copy.copy(self)
        backend.config = config
        return backend
