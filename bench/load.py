"""The load benchmark behind ``make bench``: the site at size, served as in production.

1. seeds a fresh SQLite database with the default showcase and ``--scale N`` synthetic
   customers (timed);
2. serves it with gunicorn (2 workers) and, beside it, a bare Flask + Jinja page
   (``bench/baseline.py``) served the same way;
3. finds every page a customer and each staff member reach (the crawler of the tests), and
   for each one counts its SQL statements and the rows they fetch (``tests/page_cost.py``,
   on a repeat visit: the crawl has seen it once) and its weight on a first and a repeat
   visit; a staff list is measured on its first page (a page of ``DCX_STAFF_PAGE_SIZE`` rows:
   the crawler takes one page of each route);
4. runs wrk, on loopback and for a bounded time, against each page signed in (its session
   cookie), each run followed by one of the baseline, and against the telematics API (one
   reading per request, batches of 100) beside a bare insert of the same rows through the
   same server, on a car that already holds its whole history;
5. prints the table and writes it, with the machine and the versions, to bench/RESULTS.md.

A script, not a test (``make bench`` runs it; ``make test`` never does):

    .venv/bin/python bench/load.py [--scale 2000] [--duration 5] [--connections 16]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET = "bench-secret-key-not-for-production"
CUSTOMER = "alex"
# Pages whose work is not rendering a page (downloads, feeds, QR images, exports).
NOT_PAGES = ("/language/", "/account/signout")


@dataclass
class Run:
    """One wrk run: throughput, latency and failures."""

    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    requests: int = 0
    errors: int = 0


@dataclass
class Row:
    """One line of the table."""

    name: str
    kind: str
    run: Run
    baseline: Run
    statements: int | None = None
    rows: int | None = None
    first_kb: float | None = None
    repeat_kb: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        """Requests per second as a share of the baseline's, measured just after."""
        return self.run.rps / self.baseline.rps if self.baseline.rps else 0.0


# --- wrk ---------------------------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def wrk(url: str, args: argparse.Namespace, headers=(), script: Path | None = None) -> Run:
    """Run wrk against ``url`` for the bounded duration and read its figures."""
    command = [
        "wrk",
        f"-t{min(args.connections, 2)}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        f"--timeout={args.timeout}s",
        "--latency",
    ]
    for header in headers:
        command += ["-H", header]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=args.duration + 60
    ).stdout
    return parse_wrk(output)


def parse_wrk(output: str) -> Run:
    """The figures of wrk's report (run with ``--latency``)."""
    run = Run()
    if found := re.search(r"Requests/sec:\s+([\d.]+)", output):
        run.rps = float(found.group(1))
    if found := re.search(r"(\d+) requests in", output):
        run.requests = int(found.group(1))
    if found := re.search(r"\s50%\s+(\S+)", output):
        run.p50_ms = _ms(found.group(1))
    if found := re.search(r"\s99%\s+(\S+)", output):
        run.p99_ms = _ms(found.group(1))
    for pattern in (r"Non-2xx or 3xx responses: (\d+)", r"timeout (\d+)"):
        if found := re.search(pattern, output):
            run.errors += int(found.group(1))
    return run


INGEST_SCRIPT = """
local counter = 0
local thread_id = 0
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
function init(args)
  thread_id = tonumber(wrk.thread:get("id")) or 0
end
request = function()
  counter = counter + 1
  local items = {}
  for i = 0, %(size)d - 1 do
    local t = %(start)d + thread_id * 2000000 + counter * %(size)d + i
    items[#items + 1] = string.format(
      '{"recorded_at": "%%s", "odometer_km": %%d, "battery_v": 12.5}',
      os.date("!%%Y-%%m-%%dT%%H:%%M:%%SZ", t), 900000 + counter)
  end
  local body = '{"readings": [' .. table.concat(items, ",") .. ']}'
  return wrk.format("POST", "%(path)s", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer %(token)s"}, body)
end
"""


def ingest_script(folder: Path, name: str, path: str, token: str, size: int) -> Path:
    """A wrk script posting ``size`` readings a request, each at a time never sent before."""
    # readings spread over the 60 days before now: in the past, never twice the same second
    start = int(time.time()) - 60 * 86400
    script = folder / f"{name}.lua"
    script.write_text(INGEST_SCRIPT % {"size": size, "start": start, "path": path, "token": token})
    return script


# --- servers -----------------------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn serving ``module:app`` with 2 workers on loopback, stopped through its pid file."""

    def __init__(self, target: str, folder: Path, env: dict[str, str], workers: int = 2):
        self.port = free_port()
        self.pidfile = folder / f"{target.replace(':', '-')}.pid"
        self.log = (folder / f"{target.replace(':', '-')}.log").open("w")
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--no-control-socket",
                "--pid",
                str(self.pidfile),
                "--pythonpath",
                str(ROOT / "bench"),
                "--timeout",
                "120",
                target,
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def wait(self, path: str = "/") -> None:
        """Until it answers."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(self.url + path, timeout=30)  # noqa: S310 (loopback)
                return
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped: see {self.log.name}")
            time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer: see {self.log.name}")

    def status(self, path: str, headers: list[str]) -> int:
        """The status of one GET of ``path`` (redirects not followed)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request("GET", path, headers=dict(h.split(": ", 1) for h in headers))
            return connection.getresponse().status
        finally:
            connection.close()

    def stop(self) -> None:
        """TERM the arbiter named in its pid file, and wait."""
        with contextlib.suppress(OSError, ValueError):
            os.kill(int(self.pidfile.read_text().strip()), signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=30)
        if self.process.poll() is None:
            self.process.kill()
        self.log.close()


# --- the site, in process: pages, cookies, statements, weights ---------------------------


@dataclass
class Page:
    """A page to load, who sees it and what it costs to build and to download."""

    url: str
    who: str
    kind: str
    cookie: str
    statements: int = 0
    rows: int = 0
    first_kb: float = 0.0
    repeat_kb: float = 0.0


ASSET = re.compile(r'<(?:link|script|img)\b[^>]*?(?:href|src)="(/[^"#?]+)[^"]*"')


def _weight(client, url: str) -> tuple[float, float]:
    """KB of a first visit (page and everything it links to) and a repeat visit (the page:
    its assets have hashed names and a year of immutable caching), as a browser that accepts
    brotli receives them; headers not counted."""
    accept = {"Accept-Encoding": "br, gzip"}
    page = client.get(url, headers=accept)
    html = page.get_data()
    first = len(html)
    text = page.get_data(as_text=True) if "Content-Encoding" not in page.headers else None
    if text is None:
        text = client.get(url).get_data(as_text=True)
    for asset in sorted(set(ASSET.findall(text))):
        answer = client.get(asset, headers=accept)
        if answer.status_code == 200:
            first += len(answer.get_data())
    return first / 1024, len(html) / 1024


def survey(args: argparse.Namespace) -> tuple[list[Page], dict[str, str], dict]:
    """Every page each persona reaches, with cookies, statements and weights; and a car."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import func, select

    from dcx import create_app
    from dcx.automotive import vehicles
    from dcx.automotive.models import AutomotiveReading, AutomotiveVehicle
    from dcx.extensions import db
    from dcx.platform.showcase.loader import read_showcase
    from tests.crawl import pages_reached, sign_in, start_pages
    from tests.page_cost import page_cost

    app = create_app({"RATELIMIT_ENABLED": False})
    personas = [
        p
        for p in read_showcase("default")["personas"]
        if p["key"] == CUSTOMER or p.get("role") == "staff"
    ]
    pages: list[Page] = []
    cookies: dict[str, str] = {}
    seen: set[str] = set()
    # requests are made outside any app context, as in production: each gets its own (and
    # its own g, where the CSRF token of its session is kept)
    with app.app_context():
        start = start_pages(app)
        engine = db.engine
    for persona in personas:
        client = app.test_client()
        assert sign_in(client, persona["email"], persona["password"]).status_code == 302
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        cookies[persona["key"]] = f"{cookie.key}={cookie.value}"
        staff = persona.get("role") == "staff"
        taken = 0
        for url in pages_reached(client, start):
            if url.startswith(NOT_PAGES) or url in seen:
                continue
            is_staff_page = "/staff" in url
            if staff != is_staff_page:
                continue  # a staff member's customer pages are measured as the customer
            seen.add(url)
            with page_cost(engine) as cost:
                client.get(url)
            page = Page(
                url, persona["key"], "staff" if staff else "customer", cookies[persona["key"]]
            )
            page.statements, page.rows = cost.as_tuple()
            page.first_kb, page.repeat_kb = _weight(client, url)
            pages.append(page)
            taken += 1
            if args.max_pages and taken >= args.max_pages:
                break
    with app.app_context():
        # the car of the customer with the longest history, given a token for the API
        counts = (
            select(AutomotiveReading.vehicle_id, func.count().label("n"))
            .group_by(AutomotiveReading.vehicle_id)
            .order_by(func.count().desc())
            .limit(1)
        )
        vehicle_id, readings = db.session.execute(counts).one()
        car = db.session.get(AutomotiveVehicle, vehicle_id)
        token = vehicles.connect_vehicle(car)
        db.session.commit()
    return pages, cookies, {"vehicle_id": vehicle_id, "readings": readings, "token": token}


# --- the report --------------------------------------------------------------------------


def machine() -> list[str]:
    """What this ran on and with."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "?",
    )
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()
    packages = ", ".join(
        f"{name} {version(name)}"
        for name in ("Flask", "SQLAlchemy", "Jinja2", "gunicorn", "whitenoise", "Flask-Compress")
    )
    return [
        f"- machine: {platform.node()}, {platform.system()} {platform.release()}, "
        f"{os.cpu_count()} CPUs ({cpu}), {memory} memory; load average before the run "
        f"{os.getloadavg()[0]:.2f}",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"wrk {wrk_version[1] if len(wrk_version) > 1 else '?'}; {packages}",
    ]


def fmt(value: float | None, digits: int = 0) -> str:
    """A number for the table, or a dash."""
    return "-" if value is None else f"{value:,.{digits}f}"


def table(rows: list[Row]) -> list[str]:
    """The Markdown table of every run."""
    lines = [
        "| page | who | req/s | p50 ms | p99 ms | baseline req/s | ratio | errors "
        "| statements | rows | first KB | repeat KB | notes |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.name} | {row.kind} | {fmt(row.run.rps, 1)} | {fmt(row.run.p50_ms, 1)} "
            f"| {fmt(row.run.p99_ms, 1)} | {fmt(row.baseline.rps, 0)} | {row.ratio:.3f} "
            f"| {row.run.errors} | {fmt(row.statements)} | {fmt(row.rows)} | {fmt(row.first_kb, 1)} "
            f"| {fmt(row.repeat_kb, 1)} | {'; '.join(row.notes)} |"
        )
    return lines


def main() -> None:
    """Seed, serve, survey, load, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=2000, help="synthetic customers")
    parser.add_argument("--duration", type=int, default=5, help="seconds of each wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--timeout", type=int, default=10, help="seconds before wrk gives up")
    parser.add_argument(
        "--max-pages", type=int, default=0, help="at most N pages a persona (0: all)"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--keep", action="store_true", help="keep the database and logs")
    args = parser.parse_args()

    if shutil.which("wrk") is None:
        if os.geteuid() == 0 and shutil.which("apt-get"):
            print("wrk is missing: installing Debian's package")
            subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False)
        if shutil.which("wrk") is None:
            print("make bench: skipped, wrk is not installed (apt-get install wrk, as root)")
            return

    folder = Path(tempfile.mkdtemp(prefix="dcx-bench-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "SECRET_KEY": SECRET,
        "RATELIMIT_ENABLED": "0",  # wrk is one client sending thousands of requests a minute
        "FLASK_APP": "wsgi",
    }
    os.environ.update(env)
    machine_lines = machine()
    started_at = datetime.now(UTC)

    print(f"seeding the default showcase and {args.scale} synthetic customers in {folder}")
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "flask"), "dcx", "seed", "--scale", str(args.scale)],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seed_seconds = time.perf_counter() - started
    print(f"seeded in {seed_seconds:.1f}s")

    pages, _, car = survey(args)
    print(f"{len(pages)} pages found; car {car['vehicle_id']} holds {car['readings']} readings")

    site = Gunicorn("served:app", folder, env)
    baseline_server = Gunicorn("baseline:app", folder, env)
    rows: list[Row] = []
    try:
        site.wait("/account/signin")
        baseline_server.wait()

        def baseline() -> Run:
            return wrk(baseline_server.url + "/", args)

        wrk(baseline_server.url + "/", args)  # warm both servers up before the first figure
        for page in pages:
            headers = [f"Cookie: {page.cookie}"]
            status = site.status(page.url, headers)
            run = wrk(site.url + page.url, args, headers) if status == 200 else Run()
            row = Row(page.url, page.kind, run, baseline(), page.statements, page.rows)
            if status != 200:
                row.notes.append(f"answered {status}, not loaded")
            elif run.requests == 0:
                row.notes.append(f"no answer within {args.duration} s")
            row.first_kb, row.repeat_kb = page.first_kb, page.repeat_kb
            rows.append(row)
            print(
                f"{page.kind:8} {page.url:50} {run.rps:8.1f} req/s p50 {run.p50_ms:8.1f} ms "
                f"p99 {run.p99_ms:8.1f} ms ratio {row.ratio:.3f} {page.statements} statements "
                f"{page.rows} rows"
            )
        ingest_rows: list[Row] = []
        path = "/api/v1/automotive/telemetry"
        for name, target, size in (
            ("API ingest, 1 reading a request", path, 1),
            ("API ingest, batches of 100", path, 100),
            ("bare insert, batches of 100", f"/bench/insert/{car['vehicle_id']}", 100),
        ):
            script = ingest_script(
                folder, name.split(",")[0].replace(" ", "-"), target, car["token"], size
            )
            run = wrk(site.url + target, args, script=script)
            row = Row(f"{name} (readings/s: {run.rps * size:,.0f})", "ingest", run, baseline())
            ingest_rows.append(row)
            print(f"{name:40} {run.rps:8.1f} req/s = {run.rps * size:10,.0f} readings/s")
    finally:
        site.stop()
        baseline_server.stop()

    api_batch, bare = ingest_rows[1].run.rps, ingest_rows[2].run.rps
    customer = [r for r in rows if r.kind == "customer"]
    staff = [r for r in rows if r.kind == "staff"]
    lines = [
        "# Load benchmark",
        "",
        f"`make bench` (bench/load.py), {started_at:%Y-%m-%d %H:%M} UTC: the default showcase "
        f"and `--scale {args.scale}` synthetic customers on SQLite, seeded in "
        f"{seed_seconds:.0f} s; gunicorn with 2 workers; wrk with {args.connections} connections "
        f"for {args.duration} s a page on loopback, each run followed by one of a bare Flask + "
        "Jinja page served the same way (the ratio is to that run); statements and the rows "
        "they fetch counted in process for one request (a staff list: its first page); weights as a browser accepting brotli receives them (first "
        "visit: the page and what it links to; repeat: the page, its assets cached as immutable).",
        "",
        *machine_lines,
        "",
        f"Customer pages: {len(customer)}, at least 0.25x the baseline: "
        f"{sum(r.ratio >= 0.25 for r in customer)}; staff pages: {len(staff)}, at least 0.15x: "
        f"{sum(r.ratio >= 0.15 for r in staff)}; p99 under 150 ms: "
        f"{sum(r.run.requests > 0 and r.run.p99_ms < 150 for r in rows)} of {len(rows)}.",
        "",
        *table(rows),
        "",
        f"Ingest on car {car['vehicle_id']}, which held {car['readings']:,} readings "
        f"before the run; batch ingest is {api_batch / bare if bare else 0:.2f}x the bare insert.",
        "",
        *table(ingest_rows),
        "",
    ]
    args.output.write_text("\n".join(lines))
    print("\n".join(lines))
    print(f"written to {args.output}")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
