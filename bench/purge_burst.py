"""Benchmark: full-site purges while 200 readers go through Varnish.

Starts the site as bench/pages.py does (gunicorn, production settings,
PostgreSQL, Redis) with the compose Varnish in front, and measures with `wrk`
200 connections reading the cached pages of bench/pages.py (search, never
cached, left out) through Varnish: first undisturbed, then while the site is
purged completely every --every seconds, the way the application does it
(`home.purge.purge_everything()`: a new page-cache generation in Redis and
one soft purge of everything at Varnish, which keeps the pages in grace;
`--at-once` drops them instead, as a view-restriction change does, and as
every full-site purge did before). Prints requests/s, p99 and errors of both.

    .venv/bin/python bench/purge_burst.py \\
        --database-url postgres://postgres@127.0.0.1:5432/tasteget_pages --redis-url redis://127.0.0.1:6379/9

Give --measure-only for a database bench/pages.py has filled already.
"""

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import FILL, PAGES, ROOT, free_port, production_env, set_up, start, start_varnish

TOKEN = "bench-purge-token-0123456789"  # noqa: S105 - a bench-only Varnish
SCRIPT = """
paths = {%s}
n = 0
request = function()
  n = n %% #paths + 1
  return wrk.format("GET", paths[n], {["Accept-Encoding"] = "gzip"})
end
"""


def wrk_paths(base, paths, connections, seconds):
    """(requests/s, p99 ms, errors as text) of `connections` readers going round `paths`."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(SCRIPT % ", ".join(f'"{path}"' for path in paths))
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name, base],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    Path(script.name).unlink()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, p99_ms, f"{errors} socket errors/timeouts (> 2 s), {int(non2xx.group(1)) if non2xx else 0} non-2xx"


PURGER = """
import sys, time
from home.purge import purge_everything
print("ready", flush=True)
sys.stdin.readline()  # go
end, done = time.monotonic() + {seconds}, 0
while time.monotonic() + {every} < end:
    time.sleep({every})
    purge_everything(at_once={at_once})
    done += 1
print(done, flush=True)
"""


def start_purger(env, seconds, every, at_once=False):
    """A Django shell, loaded before the measurement, that purges the whole site
    as the application does, every `every` seconds for `seconds` once told to go."""
    code = PURGER.format(seconds=seconds, every=every, at_once=at_once)
    purger = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    while purger.stdout.readline().strip() != "ready":
        pass
    return purger


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--ambassadors", type=int, default=220)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--every", type=float, default=5, help="seconds between full-site purges")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--at-once", action="store_true", help="hard full-site purges (a view restriction changed), not soft"
    )
    parser.add_argument("--measure-only", action="store_true")
    args = parser.parse_args()

    env, _static_root = production_env(args.database_url, args.redis_url, "tasteget-purge-bench-static-")
    set_up(env, args.database_url, args.measure_only)
    if not args.measure_only:
        fill = FILL.format(stories=args.stories, ambassadors=args.ambassadors)
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "shell", "-c", fill], cwd=ROOT, env={**env, "PAGE_CACHE_ENABLED": "false"}, check=True)
    subprocess.run(["redis-cli", "-u", args.redis_url, "flushdb"], capture_output=True)
    port = free_port()
    server = start(env, port, args.workers, wait_seconds=180)  # a busy machine starts it slowly
    varnish, varnish_port = start_varnish(port, token=TOKEN)
    if not varnish:
        server.terminate()
        sys.exit("varnishd is needed (make bench-tools)")
    front = f"http://127.0.0.1:{varnish_port}"
    purge_env = {**env, "FRONTEND_CACHE_PURGE_URLS": front, "FRONTEND_CACHE_PURGE_TOKEN": TOKEN, "LOG_LEVEL": "ERROR"}
    paths = [path for title, path in PAGES if title != "search"]
    try:
        for path in paths:
            requests.get(front + path, timeout=60)
        quiet = wrk_paths(front, paths, args.connections, args.seconds)
        print(f"no purge:           {quiet[0]:8.0f}/s  p99 {quiet[1]:8.1f} ms  errors {quiet[2]}")
        purger = start_purger(purge_env, args.seconds, args.every, args.at_once)
        purger.stdin.write("go\n")
        purger.stdin.flush()
        busy = wrk_paths(front, paths, args.connections, args.seconds)
        done = int(purger.stdout.readline().strip() or 0)
        purger.wait()
        print(
            f"{'hard' if args.at_once else 'soft'} full-site purges: {busy[0]:8.0f}/s  p99 {busy[1]:8.1f} ms"
            f"  errors {busy[2]}  ({done} purges in {args.seconds} s)"
        )
        pending = subprocess.run(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "shell",
                "-v",
                "0",
                "-c",
                "from home.models import PendingPurge; print(PendingPurge.objects.count())",
            ],
            cwd=ROOT,
            env=purge_env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        print(f"purges Varnish or Redis did not take (home.PendingPurge): {pending}")
    finally:
        varnish.terminate()
        varnish.wait()
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
