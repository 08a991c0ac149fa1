"""Benchmark: the quarterly report over a year of demo activity, on PostgreSQL.

Migrates the database, loads the demo content, generates twelve months of
made-up activity ending on the last day of the chosen quarter
(`generate_demo_activity`), then, as a Region user with every municipality
side by side, renders the admin report page and the XLSX file again and
again. Prints the median and worst time and the number of queries of each.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tasteget_reports_bench \\
        .venv/bin/python bench/reports.py --quarter 2026-Q3 --runs 10
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quarter", default="2026-Q3")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--skip-setup", action="store_true", help="reuse the data of an earlier run")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://… (the target is measured on PostgreSQL).")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tasteget.settings.test")

    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from intake.models import Registration
    from reports.figures import Period
    from reports.models import PageViewDay

    year, number = args.quarter.split("-Q")
    period = Period.quarter(int(year), int(number))
    if not args.skip_setup:
        call_command("migrate", verbosity=0)
        call_command("load_demo_content", verbosity=0)
        call_command("generate_demo_activity", months=12, end=period.end.isoformat(), verbosity=1)
    print(f"registrations: {Registration.objects.count()}, daily page counts: {PageViewDay.objects.count()}")
    user, _ = User.objects.get_or_create(username="bench-region")
    user.groups.add(Group.objects.get(name="Region: anmälningar"))
    client = Client()
    client.force_login(user)

    for label, query in (("page", {"quarter": args.quarter}), ("xlsx", {"quarter": args.quarter, "format": "xlsx"})):
        times, queries = [], 0
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get("/admin/reports/quarterly/", query)
                times.append(time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
            queries = len(captured)
        print(
            f"{label}: median {statistics.median(times) * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms, "
            f"{queries} queries, {len(response.content) // 1024} KiB ({args.runs} runs)"
        )


if __name__ == "__main__":
    main()
