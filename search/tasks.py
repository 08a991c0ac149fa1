"""Search statistics, counted by the worker so a visitor does not wait for them."""

from django.tasks import task
from wagtail.contrib.search_promotions.models import Query

from .models import MissedQuery


@task()
def record_search(query, language, missed):
    """Wagtail's count of every query (search promotions), and the misses editors act on."""
    Query.get(query).add_hit()
    if missed:
        MissedQuery.record(query, language)
