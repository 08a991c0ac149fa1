"""Lighthouse (mobile) on the pages a mover sees first.

Starts the site as in production (gunicorn, production settings, DEBUG off,
static files collected and served compressed by whitenoise, the page cache
in Redis, PostgreSQL) with the demo content, then runs Lighthouse's default
mobile audit (emulated mid-range phone, throttled network and CPU) in
Debian's Chromium on: the Swedish and English home pages, a municipality
page, a story and the registration form. Prints each page's category scores
and fails (exit 1) when accessibility is below 100 or performance below 95.

Lighthouse comes from npm (`npm ci`, a devDependency in package.json; `make
install-test-tools` runs it):

    .venv/bin/python bench/lighthouse.py \\
        --database-url postgres://postgres@127.0.0.1:5432/tasteget_lighthouse --redis-url redis://127.0.0.1:6379/9

The database is created if missing and filled with the demo content. With
--runs N each page is measured N times and the median score is kept (the
performance score moves by a point or two between runs on a busy machine).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pages import answering, free_port, production_env, set_up

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
PAGES = [
    ("home (sv)", "/"),
    ("home (en)", "/en/"),
    ("municipality", "/are/"),
    ("story", "/berattelser/fjallen-och-familjen/"),
    ("registration form", "/anmal-intresse/"),
]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking"
    " --disable-component-update --disable-sync --no-first-run"
)
TARGETS = {"accessibility": 100, "performance": 95}


def lighthouse(url, chrome_path):
    """{category: score 0–100} and the failing audits' ids from one mobile run."""
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        subprocess.run(
            [
                str(LIGHTHOUSE),
                url,
                "--quiet",
                "--output=json",
                f"--output-path={report.name}",
                f"--only-categories={','.join(CATEGORIES)}",
                f"--chrome-flags={CHROME_FLAGS}",
                "--max-wait-for-load=60000",
            ],
            env={**os.environ, "CHROME_PATH": chrome_path},
            check=True,
            capture_output=True,
        )
        result = json.loads(Path(report.name).read_text())
    scores = {name: round(category["score"] * 100) for name, category in result["categories"].items()}
    failing = sorted(
        audit_id
        for audit_id, audit in result["audits"].items()
        if audit.get("score") is not None
        and audit["score"] < 0.9
        and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
    )
    shown = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift")
    metrics = {key: result["audits"][key].get("displayValue", "") for key in shown}
    return scores, failing, metrics


def start(env, port):
    """gunicorn as in production, with /media/ served as the TLS proxy would (bench/lighthouse_wsgi.py)."""
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "bench.lighthouse_wsgi:application"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--preload", "--access-logfile", "/dev/null"],
        cwd=ROOT,
        env=env,
    )
    return answering(server, port)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--chrome-path", default=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median score is kept")
    parser.add_argument("--measure-only", action="store_true", help="the database has the demo content already")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is not installed: run `npm ci` (or `make install-test-tools`).")
    if not args.database_url.startswith("postgres"):
        sys.exit("Give --database-url postgres://… (the site is measured as in production).")

    env, _static_root = production_env(args.database_url, args.redis_url, "tasteget-lighthouse-static-")
    set_up(env, args.database_url, args.measure_only)
    subprocess.run(["redis-cli", "-u", args.redis_url, "flushdb"], capture_output=True)

    port = free_port()
    server = start(env, port)
    below = []
    try:
        print(f"{'page':18} " + " ".join(f"{c:>14}" for c in CATEGORIES) + "  FCP / LCP / TBT / CLS")
        for title, path in PAGES:
            runs = [lighthouse(f"http://127.0.0.1:{port}{path}", args.chrome_path) for _ in range(args.runs)]
            scores = {c: statistics.median(run[0][c] for run in runs) for c in CATEGORIES}
            metrics = runs[-1][2]
            print(
                f"{title:18} "
                + " ".join(f"{scores[c]:>14.0f}" for c in CATEGORIES)
                + "  "
                + " / ".join(metrics.values())
            )
            failing = sorted({audit for run in runs for audit in run[1]})
            if failing:
                print(f"{'':18} below 90: {', '.join(failing)}")
            below += [f"{title} {c} {scores[c]:.0f} < {t}" for c, t in TARGETS.items() if scores[c] < t]
    finally:
        server.terminate()
        server.wait()
    if below:
        sys.exit("Below target: " + "; ".join(below))
    print("Every page meets the targets (accessibility 100, performance ≥ 95).")


if __name__ == "__main__":
    main()
