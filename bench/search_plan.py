"""The site search's query plans on PostgreSQL with many stories (docs/performance.md, "Search").

Fills a database like bench/pages.py (demo content, then stories up to
--stories, then the search index), and prints EXPLAIN ANALYZE of what one
search costs: the page of ranked results, the count under it, and the
pg_trgm look-up that suggests a spelling when a query finds nothing.

    .venv/bin/python bench/search_plan.py \\
        --database-url postgres://postgres@127.0.0.1:5432/tasteget_search_plan --stories 2000

--explain-only skips the filling (the database is filled already).
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import FILL  # noqa: E402  (bench/ is a folder of scripts, not a package)

EXPLAIN = """
from django.db import connection
from django.utils import translation
from wagtail.models import Locale, Page
from search import services
from search.views import pages_in

translation.activate("sv")
locale = Locale.get_active()
print("stories:", Page.objects.filter(locale=locale, depth__gt=3).count(), "pages in sv")
for query in {queries!r}:
    ranked = services.ranked(pages_in(locale), query)
    print(f"\\n=== {{query!r}}: {{ranked.count()}} hits; the first page of ten ===")
    print(ranked[:10].explain(analyze=True))
    print(f"\\n=== {{query!r}}: the count for the paginator ===")
    print(services.matching(pages_in(locale), query).explain(analyze=True))
pages = Page.objects.live().public().filter(locale=locale)
from django.contrib.postgres.lookups import Unaccent
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import F, Value
similar = (
    pages.annotate(similarity=TrigramWordSimilarity(Unaccent(Value("ostersnd")), Unaccent(F("title"))))
    .filter(similarity__gte=services.TRIGRAM_THRESHOLD)
    .order_by("-similarity")
    .values_list("title", flat=True)[: services.MAX_TRIGRAM_TITLES]
)
print("\\n=== suggestion for 'ostersnd': titles by trigram word similarity ===")
print(similar.explain(analyze=True))
print("suggested:", services.suggestion("ostersnd", locale))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--ambassadors", type=int, default=220)
    parser.add_argument("--query", action="append", help="a query to explain (default: fjall, berattelse)")
    parser.add_argument("--explain-only", action="store_true", help="the database is filled already")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("Give --database-url postgres://… (the plan of interest is PostgreSQL's).")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tasteget.settings.dev", "DATABASE_URL": args.database_url}
    env.update(PAGE_CACHE_ENABLED="false", TASTEGET_DEVELOPMENT="1")
    manage = [sys.executable, str(ROOT / "manage.py")]
    if not args.explain_only:
        name = args.database_url.rsplit("/", 1)[1]
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], capture_output=True)
        for command in (["migrate", "--noinput"], ["load_demo_content"]):
            subprocess.run([*manage, *command, "-v", "0"], cwd=ROOT, env=env, check=True)
        fill = FILL.format(stories=args.stories, ambassadors=args.ambassadors)
        subprocess.run([*manage, "shell", "-c", fill], cwd=ROOT, env=env, check=True)
        subprocess.run([*manage, "update_index", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run(["psql", args.database_url, "-qc", "ANALYZE"], check=True)
    queries = args.query or ["fjall", "berattelse"]
    subprocess.run([*manage, "shell", "-c", EXPLAIN.format(queries=queries)], cwd=ROOT, env=env, check=True)


if __name__ == "__main__":
    main()
