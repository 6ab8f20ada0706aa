"""`manage.py bench --tiny` runs the load benchmark end to end, on real servers.

It needs the suite to run on PostgreSQL (its server holds the benchmark's databases),
Redis and wrk; without them it is skipped, saying which is missing.
"""

import json
import math
import shutil
from io import StringIO
from urllib.parse import quote

import psycopg2
import pytest
import redis
from django.conf import settings
from django.core.management import CommandError, call_command

from devtools.management.commands.bench import (
    EDIT_ALONE,
    MODES,
    Command,
    _next_database,
    edits,
    net_ratio,
)

REDIS_URL = "redis://127.0.0.1:6379/1"


def server_url() -> str:
    """Return the suite's PostgreSQL server as a URL without a database name."""
    db = settings.DATABASES["default"]
    credentials = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"


@pytest.fixture
def requirements():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the load benchmark needs PostgreSQL: run with DATABASE_URL=postgres://…")
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (apt-get install wrk)")
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")


@pytest.mark.django_db
def test_the_floor_view_is_only_served_when_asked_for(client, rf, django_assert_num_queries):
    from devtools.views import floor

    assert not settings.BENCH_FLOOR_VIEW
    assert client.get("/bench/floor/").status_code == 404
    with django_assert_num_queries(0):
        response = floor(rf.get("/bench/floor/"))
    assert response.status_code == 200
    assert 4000 < len(response.content) < 6000


def test_the_net_ratio_takes_the_edits_own_time_out_of_the_pages():
    # Floor 1 ms a request; the floor after the edit 2 ms (the edit 1 ms); the page after
    # the edit 10 ms: 9 ms of its own, 1/9 of the floor's speed.
    assert net_ratio(0.1, 0.5) == pytest.approx(1 / 9)
    # An edit that costs nothing takes nothing out.
    assert net_ratio(0.25, 1.0) == pytest.approx(0.25)
    # Noise that makes the edit cost the whole page: as fast as can be (the round still
    # counts in the median), printed as no figure.
    assert net_ratio(0.3, 0.2) == math.inf
    assert math.isnan(net_ratio(float("nan"), 0.5))


def vacuums(server: str, name: str) -> int:
    """Return how many times the projects' table of database ``name`` was vacuumed by
    hand since it was made."""
    connection = psycopg2.connect(f"{server}/{name}", connect_timeout=10)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = %s",
                ["portfolio_project"],
            )
            row = cursor.fetchone()
    finally:
        connection.close()
    return row[0] if row else 0


def tiny_bench(work_dir, **options) -> str:
    """Run the tiny benchmark on the suite's PostgreSQL server; return what it printed."""
    out = StringIO()
    server = server_url()
    call_command(
        "bench",
        tiny=True,
        small_db_url=f"{server}/portfolio_bench_small_tiny",
        large_db_url=f"{server}/portfolio_bench_large_tiny",
        redis_url=REDIS_URL,
        work_dir=str(work_dir),
        force=True,  # pytest runs with DEBUG off
        stdout=out,
        **options,
    )
    return out.getvalue()


@pytest.mark.bench
def test_tiny_benchmark_measures_pages_against_the_floor(requirements, tmp_path):
    server = server_url()
    # New databases (as a new work folder asks anyway): counted from 0.
    output = tiny_bench(tmp_path, pages="home,project", rebuild=True)
    for title in ("SMALL", "LARGE"):
        assert f"{title}, page cache on (PAGE_CACHE=true)" in output
        assert f"{title}, page cache off (PAGE_CACHE=false), fragments kept" in output
        assert f"{title}, page cache and fragments off (FRAGMENT_CACHE=false)" in output
    assert "LARGE / SMALL" in output
    assert "load average (1 min) at the start of this size's part of each round:" in output

    (report,) = tmp_path.glob("*.txt")
    text = report.read_text()
    assert "LARGE / SMALL" in text and "SMALL, page cache off" in text
    results = json.loads(report.with_suffix(".json").read_text())
    for size in ("small", "large"):
        pages = {page["name"]: page for page in results[size]["pages"]}
        assert set(pages) == {"floor", "home", "project"}
        assert pages["floor"]["queries_miss"] == 0
        assert all(page["status"] == 200 for page in pages.values())
        for mode in ("cached", "uncached", "cold"):
            rounds = results[size]["modes"][mode]["rounds"]
            assert rounds["floor"][0]["requests"] > 0
            assert all(run["errors"] == 0 for runs in rounds.values() for run in runs)
    assert results["large"]["counts"]["projects"] > results["small"]["counts"]["projects"]
    # The edit modes measure the edit alone in every round, and take it out of the pages.
    for size in ("small", "large"):
        modes = results[size]["modes"]
        assert EDIT_ALONE not in modes["uncached"]["rounds"]
        for mode in ("edited", "shown", "scheduled"):
            alone = modes[mode]["rounds"][EDIT_ALONE]
            assert len(alone) == len(modes[mode]["rounds"]["floor"])
            assert alone[0]["requests"] > 0 and alone[0]["errors"] == 0
    edited = text.split("SMALL, page cache off, the measured project's story rewritten")[1]
    edited = edited.split("load average")[0]  # This table alone.
    header, *_rows = edited.strip().splitlines()[1:]
    assert header.split()[:6] == ["page", "req/s", "p50", "ms", "p99", "ms"]
    assert "net" in header.split()
    assert f"\n{EDIT_ALONE} " in edited
    growth = text.split("LARGE / SMALL")[1].split("the measured project's story rewritten")[1]
    growth = growth.split("\n\n")[0]  # This table alone.
    assert "floor-relative     net" in growth.splitlines()[1]
    assert f"\n{EDIT_ALONE} " in growth
    # Each mode starts from a vacuumed database (the edit modes leave dead rows behind),
    # and in an edit mode the pages and the edit alone each start from one.
    modes = len(results["small"]["modes"])
    assert modes == len(MODES)
    edit_modes = len([mode for mode in MODES if edits(mode)])
    assert edit_modes == 9
    for name in ("portfolio_bench_small_tiny", "portfolio_bench_large_tiny"):
        assert vacuums(server, name) >= modes + 2 * edit_modes, name


@pytest.mark.bench
def test_both_sizes_are_measured_in_the_same_rounds_and_their_growth_paired(requirements, tmp_path):
    output = tiny_bench(tmp_path, rounds=3, modes="cached", pages="home,project")
    (report,) = tmp_path.glob("*.json")
    results = json.loads(report.read_text())
    small = results["small"]["modes"]["cached"]["rounds"]
    large = results["large"]["modes"]["cached"]["rounds"]
    # In each size's part of a round, each page between two runs of the floor, and
    # measured against their mean.
    for rounds in (small, large):
        for number, floor in enumerate(rounds["floor"]):
            runs = floor["runs"]
            assert len(runs) == 3
            # The floor's row: the median of its runs' req/s, and all their errors.
            assert floor["rps"] == pytest.approx(sorted(run["rps"] for run in runs)[1])
            assert floor["errors"] == sum(run["errors"] for run in runs) == 0
            for index, name in enumerate(("home", "project")):
                page = rounds[name][number]
                before, after = runs[index], runs[index + 1]
                assert before["started"] < page["started"] < after["started"]
                assert page["floor_rps"] == pytest.approx((before["rps"] + after["rps"]) / 2)
    # Round by round, both sizes one after the other: SMALL first in the first and third
    # rounds, LARGE first in the second.
    assert len(small["floor"]) == len(large["floor"]) == 3
    parts = []
    for number in range(3):
        first, second = (small, large) if number % 2 == 0 else (large, small)
        parts += [first["floor"][number]["runs"], second["floor"][number]["runs"]]
    starts = [run["started"] for runs in parts for run in runs]
    assert starts == sorted(starts)
    # Each size keeps its pages in its own Redis database (SMALL's, then the next): the
    # next one, emptied before LARGE's server is measured, holds what that server kept.
    assert f"{REDIS_URL}, {REDIS_URL[:-1]}2" in output
    assert redis.Redis.from_url(f"{REDIS_URL[:-1]}2", socket_timeout=2).dbsize() > 0


def test_the_growth_is_the_median_of_each_rounds_own():
    """SMALL's ratio to the floor ÷ LARGE's, round by round, then the median: a drift of
    the machine between rounds cancels out (the medians of each size, divided, differ)."""

    def rounds(floor: list[float], home: list[float]) -> dict:
        # The edit alone as fast as the floor: the net ratios are the ratios.
        runs = {"floor": floor, "home": home, EDIT_ALONE: floor}
        return {
            name: [{"rps": rps, "p50_ms": 1000 / rps} for rps in values]
            for name, values in runs.items()
        }

    pages = [{"name": name, "queries_miss": 1, "queries_hit": 0} for name in ("floor", "home")]
    # SMALL's ratios 0.4, 0.5, 0.6; LARGE's 0.2, 0.6, 0.5: paired 2, 0.83, 1.2.
    small_rounds = rounds([100] * 3, [40, 50, 60])
    large_rounds = rounds([200] * 3, [40, 120, 100])
    small = {"pages": pages, "modes": {"edited": {"rounds": small_rounds}}}
    large = {"pages": pages, "modes": {"edited": {"rounds": large_rounds}}}
    command = Command(stdout=StringIO())
    command.modes, command.report = ["edited"], StringIO()
    command._slowdown(small, large)
    row = next(line for line in command.report.getvalue().splitlines() if line.startswith("home "))
    time_ratio, p50, relative, net = row.split()[1:5]
    assert relative == "1.20"  # The medians' ratio would be 0.5 / 0.5 = 1.00.
    assert net == "1.20"
    # 40/40, 50/120, 60/100: 1, 0.42, 0.6 (the medians' ratio: 50 / 100 = 0.5).
    assert time_ratio == "0.60"
    assert p50 == "0.60"


def test_a_page_is_measured_against_the_floor_beside_it():
    """Each page's ratio, and the edit alone's, is to the floor measured just before and
    after it (``floor_rps``), not to the floor's row of the round, measured earlier."""
    pages = [
        {"name": name, "queries_miss": 1, "queries_hit": 0, "bytes": 9}
        for name in ("floor", "home")
    ]

    def rounds(first_floors: list[float], beside: float, home: float) -> dict:
        floor = [
            {"rps": rps, "p50_ms": 1, "p99_ms": 1, "errors": 0, "requests": 9}
            for rps in first_floors
        ]

        def runs(rps: float) -> list[dict]:
            run = {"rps": rps, "floor_rps": beside, "p50_ms": 1, "p99_ms": 1, "errors": 0}
            return [{**run, "requests": 9} for _floor in first_floors]

        # The edit alone as fast as the floor beside it: the net ratio is the ratio.
        return {"floor": floor, "home": runs(home), EDIT_ALONE: runs(beside)}

    # The floor's row says 100 each round; beside the page it ran at 50 (SMALL) and 80
    # (LARGE): ratios and net ratios 0.5 and 0.25, growth 2. Against the rows: ratios 0.25
    # and 0.2 (growth 1.25), net 1/3 and 4/19 (growth 1.58).
    small_rounds = rounds([100] * 3, 50, 25)
    large_rounds = rounds([100] * 3, 80, 20)
    command = Command(stdout=StringIO())
    command.modes, command.report = ["edited"], StringIO()
    command._table("SMALL", "edited", pages, small_rounds, [0.1])
    row = next(line for line in command.report.getvalue().splitlines() if line.startswith("home "))
    assert row.split()[4:6] == ["0.500", "0.500"]
    small = {"pages": pages, "modes": {"edited": {"rounds": small_rounds}}}
    large = {"pages": pages, "modes": {"edited": {"rounds": large_rounds}}}
    command.report = StringIO()
    command._slowdown(small, large)
    row = next(line for line in command.report.getvalue().splitlines() if line.startswith("home "))
    assert row.split()[3:5] == ["2.00", "2.00"]


@pytest.mark.parametrize(
    ("url", "offset", "expected"),
    [
        ("redis://127.0.0.1:6379/1", 1, "redis://127.0.0.1:6379/2"),
        ("redis://:secret@cache:6380", 1, "redis://:secret@cache:6380/1"),
        ("rediss://cache:6379/4", 0, "rediss://cache:6379/4"),
    ],
)
def test_the_large_servers_use_the_next_redis_database(url, offset, expected):
    assert _next_database(url, offset) == expected


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:6379?db=3", "unix:///run/redis.sock", "redis://cache/cache"]
)
def test_a_redis_address_without_a_database_number_to_follow_is_refused(url):
    with pytest.raises(CommandError, match="the LARGE servers use the next database"):
        _next_database(url, 1)
