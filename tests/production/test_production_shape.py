"""The production shape under faults: PostgreSQL, gunicorn with 4 workers, two schedulers.

The clock crosses two month ends while customers sign in and post their profile over HTTP; one
scheduler is killed (SIGKILL) in the middle of a monthly job and the clock moves on at once,
long before its lease could expire; the mail server is down for longer than the retry horizon,
then up again, and the admin retries the dead letters from the outbox. Afterwards every customer
has exactly one message per monthly job and period, every e-mail arrived once, no delivery is
left claimed and no job run is left running. The test prints its counts.

It runs only on PostgreSQL, in a database of its own (created here, dropped after), with the
test probe vertical: its monthly job pauses between batches (``PROBE_BATCH_PAUSE``), so a kill
lands in the middle of a run whatever the machine's speed.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess  # nosec B404 (the processes of the production shape)
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, update

from dcx import create_app
from dcx.extensions import db
from dcx.platform.accounts.models import User
from dcx.platform.jobs.models import JobRun, RunStatus
from dcx.platform.notify.models import Delivery, DeliveryStatus, Message
from tests.conftest import Inbox, free_port, own_database
from tests.platform.jobs.test_runner import PROBE, _customers

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
CUSTOMERS = 150  # two batches of the probe's monthly job: a kill lands between them
PASSWORD = "probe password long"
JOB = "probe.monthly_summary"
TOPIC = "probe.summary"
PAUSE = "2"  # seconds the probe's monthly job waits after each batch of 100

pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith("postgresql"),
    reason="the production shape runs on PostgreSQL only (DATABASE_URL is not PostgreSQL)",
)


@pytest.fixture
def database():
    """A database of this test's own, created empty and dropped after: its URL."""
    with own_database(f"dcx_prodshape_{os.getpid()}") as url:
        yield url


class Mail:
    """A real SMTP server (aiosmtpd) on one port that can go down and come back up."""

    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def up(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def down(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def mail():
    server = Mail()
    server.up()
    try:
        yield server
    finally:
        server.down()


class Shape:
    """The processes of the production shape, started with an environment of their own."""

    def __init__(self, url: str, mail_port: int, tmp: Path):
        self.web_port = free_port()
        self.base = f"http://127.0.0.1:{self.web_port}"
        self.tmp = tmp
        self.env = {
            **{
                key: value
                for key, value in os.environ.items()
                if not key.startswith("PYTEST_") and key != "DATABASE_URL"
            },
            "FLASK_APP": "wsgi",
            "DATABASE_URL": url,
            "DCX_VERTICALS": PROBE,
            "SECRET_KEY": "production-shape-secret",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(mail_port),
            "MAIL_TIMEOUT": "3",
            "NOTIFY_MAX_ATTEMPTS": "2",  # the retry horizon: two tries, a minute apart
            "DCX_BASE_URL": self.base,
        }
        self.procs: list[subprocess.Popen] = []

    def flask(self, *args: str, pause: str = "0") -> str:
        """Run one ``flask`` command to its end; its output."""
        done = subprocess.run(  # nosec B603
            [sys.executable, "-m", "flask", *args],
            cwd=ROOT,
            env={**self.env, "PROBE_BATCH_PAUSE": pause},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def start(self, *args: str, pause: str = "0") -> subprocess.Popen:
        log = open(self.tmp / f"proc{len(self.procs)}.log", "w")  # noqa: SIM115
        proc = subprocess.Popen(  # nosec B603
            [sys.executable, *args],
            cwd=ROOT,
            env={**self.env, "PROBE_BATCH_PAUSE": pause},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.procs.append(proc)
        return proc

    def scheduler(self, pause: str = "0") -> subprocess.Popen:
        return self.start("-m", "flask", "dcx", "scheduler", "--tick", "1", pause=pause)

    def gunicorn(self) -> None:
        self.start(
            "-m",
            "gunicorn",
            "--workers",
            "4",
            "--bind",
            f"127.0.0.1:{self.web_port}",
            "--no-control-socket",
            "--pid",
            str(self.tmp / "gunicorn.pid"),
            "wsgi:app",
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.base}/", timeout=10).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError("gunicorn did not answer")

    def stop(self) -> None:
        pid_file = self.tmp / "gunicorn.pid"
        if pid_file.exists():
            os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def _signed_in(base: str, email: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{base}/account/signin", timeout=10).text
    answer = browser.post(
        f"{base}/account/signin",
        data={"csrf_token": _csrf(page), "email": email, "password": PASSWORD},
        timeout=30,
    )
    assert answer.status_code == 200 and "/account/signout" in answer.text, email
    return browser


def _customers_act(base: str, browsers: list[requests.Session], period: int) -> None:
    """Each signed-in customer posts the profile form (a new name) over HTTP."""
    for number, browser in enumerate(browsers):
        page = browser.get(f"{base}/account/profile", timeout=10).text
        answer = browser.post(
            f"{base}/account/profile",
            data={"csrf_token": _csrf(page), "name": f"Customer {number} p{period}"},
            timeout=10,
        )
        assert answer.status_code == 200 and f"Customer {number} p{period}" in answer.text


def _wait(condition, what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds}s for {what}"
        time.sleep(0.2)


def test_nothing_is_lost_or_doubled_in_the_production_shape(database, mail, tmp_path):
    started = time.monotonic()
    laps: dict[str, float] = {}

    def lap(name: str) -> None:
        laps[name] = round(time.monotonic() - started, 1)

    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "DCX_VERTICALS": (PROBE,)})
    shape = Shape(database, mail.port, tmp_path)
    shape.flask("db", "upgrade", "heads")
    lap("schema")
    with app.app_context():
        _customers(CUSTOMERS)
        db.session.execute(
            update(User).where(User.email == "c0@probe.example").values(role="admin")
        )
        db.session.commit()

        def scalar(stmt):
            db.session.rollback()
            return db.session.execute(stmt).scalar()

        def sent_now() -> int:
            return scalar(select(func.count()).where(Message.topic == TOPIC))

        def runs(status: str) -> int:
            return scalar(select(func.count()).where(JobRun.job_id == JOB, JobRun.status == status))

        def unsent() -> int:
            return scalar(
                select(func.count()).where(
                    Delivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.SENDING))
                )
            )

        try:
            shape.gunicorn()
            with ThreadPoolExecutor(4) as pool:
                admin, *customers = pool.map(
                    lambda i: _signed_in(shape.base, f"c{i}@probe.example"), range(4)
                )
            lap("web up, signed in")

            # The first scheduler starts the monthly job for this month: kill it mid-way.
            doomed = shape.scheduler(pause=PAUSE)
            _wait(lambda: sent_now() >= 100, "the first batch of the monthly job")
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(timeout=10)
            lap("killed")
            killed_at = sent_now()
            assert 100 <= killed_at < CUSTOMERS and runs(RunStatus.RUNNING) == 1
            shape.scheduler()
            shape.scheduler()
            _customers_act(shape.base, customers, 0)

            # The clock crosses a month end at once: the killed run's lease is far from over.
            print(shape.flask("dcx", "clock", "advance", "30d"))
            _customers_act(shape.base, customers, 1)

            # Once this month's e-mails are out, the mail server goes down for longer than the
            # retry horizon (two tries).
            _wait(lambda: unsent() == 0, "January's e-mails")
            lap("two periods")
            mail.down()
            print(shape.flask("dcx", "clock", "advance", "31d"))
            _customers_act(shape.base, customers, 2)
            shape.flask("dcx", "clock", "advance", "1h")
            dead = list(
                db.session.execute(
                    select(Delivery.id).where(Delivery.status == DeliveryStatus.FAILED)
                ).scalars()
            )
            assert len(dead) >= CUSTOMERS - 1
            lap("dead letters")

            # Back up: the admin retries every dead letter from the outbox in one click; the
            # next pass sends them.
            mail.up()
            token = _csrf(admin.get(f"{shape.base}/inbox/outbox?status=failed", timeout=10).text)
            retried = admin.post(
                f"{shape.base}/inbox/outbox/retry",
                data={"csrf_token": token},
                timeout=30,
                allow_redirects=False,
            )
            assert retried.status_code == 303, retried.text[:300]
            shape.flask("dcx", "clock", "advance", "1h")
            _wait(lambda: unsent() == 0, "the outbox to empty")
            lap("retried")
        finally:
            shape.stop()
        # A scheduler stopped in the middle of a run leaves it running; the next pass (here a
        # last one) marks it interrupted and takes it over.
        shape.flask("dcx", "jobs", "run")

        db.session.rollback()
        per = Counter(
            db.session.execute(
                select(Message.user_id, Message.key).where(Message.topic == TOPIC)
            ).all()
        )
        customer_ids = set(
            db.session.execute(select(User.id).where(User.role == "customer")).scalars()
        )
        periods = sorted({key for _, key in per})
        statuses = Counter(
            dict(
                db.session.execute(
                    select(Delivery.status, func.count()).group_by(Delivery.status)
                ).all()
            )
        )
        run_statuses = Counter(
            dict(
                db.session.execute(
                    select(JobRun.status, func.count()).group_by(JobRun.status)
                ).all()
            )
        )
        received = Counter(envelope.content for envelope in mail.inbox.received)
        message_ids = Counter(
            re.search(rb"Message-ID: (\S+)", envelope.content, re.IGNORECASE).group(1)
            for envelope in mail.inbox.received
        )
        print(
            f"\nproduction shape in {time.monotonic() - started:.1f}s: "
            f"{len(customer_ids) + 1} customers (one an admin), periods {periods}, "
            f"killed after {killed_at} of {CUSTOMERS}, dead letters {len(dead)}, "
            f"messages {sum(per.values())}, e-mails received {len(mail.inbox.received)}, "
            f"deliveries {dict(statuses)}, job runs {dict(run_statuses)}; seconds at {laps}"
        )

    assert len(periods) == 3 and len(customer_ids) == CUSTOMERS - 1  # c0 is the admin
    doubles = {pair: n for pair, n in per.items() if n != 1}
    missing = [(uid, key) for uid in customer_ids for key in periods if (uid, key) not in per]
    assert doubles == {} and missing == [], (doubles, missing[:10])
    assert statuses[DeliveryStatus.SENT] == sum(per.values())
    assert set(statuses) == {DeliveryStatus.SENT}  # none pending, claimed or failed
    assert len(mail.inbox.received) == sum(per.values())
    assert max(message_ids.values()) == 1 and max(received.values()) == 1
    assert run_statuses[RunStatus.RUNNING] == 0
