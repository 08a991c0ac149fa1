"""Search helpers every page type shares."""

from anyascii import anyascii
from wagtail.search import index


class FoldedSearchMixin:
    """Also index the title and introduction without diacritics, so that
    "ostersund" finds "Östersund" on every search backend."""

    @property
    def search_folded_title(self):
        return anyascii(self.title)

    @property
    def search_folded_text(self):
        return anyascii(getattr(self, "intro", "") or "")


FOLDED_SEARCH = [
    index.SearchField("search_folded_title", boost=4),
    index.AutocompleteField("search_folded_title"),
    index.SearchField("search_folded_text"),
]
