"""Search statistics, counted by the worker so a visitor does not wait for them."""

from django.tasks import task
from wagtail.contrib.search_promotions.models import Query

from .models import MissedQuery

# Wagtail (modelsearch) indexes a saved page or snippet in this task, after the save.
INDEX_TASKS = {"modelsearch.tasks.insert_or_update_object_task"}


@task()
def record_search(query, language, missed):
    """Wagtail's count of every query (search promotions), and the misses editors act on."""
    Query.get(query).add_hit()
    if missed:
        MissedQuery.record(query, language)


def index_updated(sender, task_result, **kwargs):
    """The worker has indexed a saved object: search results kept before
    (search/views.py) may miss it, although the publish purged them already,
    since a search between the publish and this task kept the old index's
    answer."""
    if task_result.task.module_path in INDEX_TASKS:
        from home.purge import purge_topic

        purge_topic("search")
