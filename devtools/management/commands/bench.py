"""Load benchmark of the public pages, served as in production.

For each size of portfolio it builds a PostgreSQL database once. For each mode (page cache
on, off, edits, fragments off) it starts a gunicorn server per size with production
settings and Redis as the cache, and drives each page with wrk, between two runs of the
floor view, each size in turn in every round (SMALL first in odd rounds, LARGE first in
even ones). It prints requests per second,
latency, the ratio to the floor, SQL queries and page sizes, then how much slower each
page is on the large portfolio, measured in the same rounds; ``make bench`` runs it.
"""

import json
import math
import os
import platform
import secrets
import signal
import subprocess
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import django
import redis
from django.core.management.base import CommandError

from devtools.benchmark import (
    BASE_DIR,
    BenchError,
    Database,
    LoadGenerator,
    Server,
    Size,
    build,
    ensure_wrk,
    get,
    is_complete,
    manage,
    median,
    wrk_version,
)
from devtools.commands import DeveloperCommand
from devtools.middleware import EDIT_ALONE as EDIT_ALONE_PATH
from devtools.pages import FLOOR, PAGE_NAMES

SIZES = {
    "small": Size("small", projects=10, partners=3, sponsorships=1_000),
    "large": Size("large", projects=10_000, partners=2_000, sponsorships=1_000_000),
}
# For continuous integration: the same steps in seconds.
TINY_SIZES = {
    "small": Size("small", projects=3, partners=2, sponsorships=30),
    "large": Size("large", projects=30, partners=10, sponsorships=300),
}
SERVER = "postgres://postgres@127.0.0.1:5432"
# Each server's settings, and how its tables are titled. "uncached" renders every page, with
# the fragments that a pledge or a gift leaves good (core/fragments.py): the first request
# after such a change. "edited" also takes an editor to rewrite the measured project's story
# before every request (devtools/middleware.py), as a save in the admin would: the first
# request after an editor's everyday change; "renamed", to retitle it; "news", to publish a
# field update about it; "catalogue", to publish a new project (a change of another
# project's place in the catalogue); "place", to save a place of the measured project's
# map; "partner", to rename its first partner; "region", to rename its smallest region;
# "shown", to hide one of its partners, then show it again; "scheduled", to have a project
# scheduled for that moment go public.
# "cold" computes everything from the database, as for a logged-in editor or on a site
# without Redis (the first request after every token renewed counts more: the whole
# catalogue, to keep it).
MODES = {
    "cached": ({"PAGE_CACHE": "true"}, "page cache on (PAGE_CACHE=true)"),
    "uncached": (
        {"PAGE_CACHE": "false"},
        "page cache off (PAGE_CACHE=false), fragments kept: "
        "the first request after a pledge or a gift",
    ),
    "edited": (
        {"PAGE_CACHE": "false", "BENCH_EDIT_PROJECT": "{project}"},
        "page cache off, the measured project's story rewritten before every request "
        "(BENCH_EDIT_PROJECT): the first request after an editor's change to a project's "
        "story, photos, dates or results",
    ),
    "renamed": (
        {"PAGE_CACHE": "false", "BENCH_EDIT_PROJECT": "{project}", "BENCH_EDIT": "title"},
        "page cache off, the measured project's title changed before every request "
        "(BENCH_EDIT=title): the first request after an editor renames a project or "
        "rewrites its summary",
    ),
    "news": (
        {"PAGE_CACHE": "false", "BENCH_EDIT_PROJECT": "{project}", "BENCH_EDIT": "news"},
        "page cache off, a field update about the measured project published before every "
        "request (BENCH_EDIT=news)",
    ),
    "catalogue": (
        {"PAGE_CACHE": "false", "BENCH_EDIT_PROJECT": "{project}", "BENCH_EDIT": "catalogue"},
        "page cache off, the last project published changes the catalogue before every request "
        "(BENCH_EDIT=catalogue): the first request after a project is published or "
        "unpublished, or another project's status, regions, sector or partners change",
    ),
    "place": (
        {"PAGE_CACHE": "false", "BENCH_EDIT_PROJECT": "{project}", "BENCH_EDIT": "place"},
        "page cache off, a place added to the measured project's map in its admin form before "
        "every request (BENCH_EDIT=place): the first request after an editor adds, moves or "
        "deletes a project's place",
    ),
    "partner": (
        {"PAGE_CACHE": "false", "BENCH_EDIT_PROJECT": "{project}", "BENCH_EDIT": "partner"},
        "page cache off, the measured project's first partner renamed before every request "
        "(BENCH_EDIT=partner): the first request after an editor saves a partner",
    ),
    "region": (
        {"PAGE_CACHE": "false", "BENCH_EDIT_PROJECT": "{project}", "BENCH_EDIT": "region"},
        "page cache off, the measured project's region with the fewest projects renamed "
        "before every request (BENCH_EDIT=region): the first request after an editor saves "
        "a region or a sector",
    ),
    "shown": (
        {"PAGE_CACHE": "false", "BENCH_EDIT_PROJECT": "{project}", "BENCH_EDIT": "shown"},
        "page cache off, one of the measured project's partners hidden, then shown again, "
        "before every request (BENCH_EDIT=shown): the first request after an editor shows or "
        "hides a partner",
    ),
    "scheduled": (
        {"PAGE_CACHE": "false", "BENCH_EDIT_PROJECT": "{project}", "BENCH_EDIT": "scheduled"},
        "page cache off, the last project published goes public by its date before every "
        "request (BENCH_EDIT=scheduled): the first request after a scheduled publication "
        "falls due",
    ),
    "cold": (
        {"PAGE_CACHE": "false", "FRAGMENT_CACHE": "false"},
        "page cache and fragments off (FRAGMENT_CACHE=false): every request of a logged-in "
        "editor, and every request on a site without Redis",
    ),
}
WORKERS = 2
# In the edit modes, the floor view served after the edit (``devtools.middleware``),
# measured in the same rounds: the edit's own cost, which an editor's save pays in
# production, is taken out of each page's time in the column "net".
EDIT_ALONE = "edit-alone"
# Seconds of each run of the floor view, before the first page of a size's part of a round
# and after each page (``_round``).
FLOOR_SECONDS = 1
# Below this many answers in a round, a page's figures are flagged as rough.
FEW_ANSWERS = 10
# The pages measured and the counts, every partner of the measured project shown (a run
# stopped during the shown mode may have left one hidden).
PAGES_READ = ["bench_pages", "--json", "--force", "--show-partners"]


@dataclass
class Measured:
    """A size being measured: its database, cache and pages, and its rounds so far."""

    name: str
    database: Database
    redis_url: str
    project: int
    measured: dict  # Its counts, its pages and, mode by mode, its rounds.

    @property
    def title(self) -> str:
        return self.name.upper()

    @property
    def pages(self) -> list[dict]:
        return self.measured["pages"]


class Command(DeveloperCommand):
    help = "Build the benchmark databases when missing, then load-test the public pages."
    # Its own settings serve nothing: the servers it starts have theirs.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--sizes", default="small,large", help="Comma-separated: small, large (default both)."
        )
        parser.add_argument("--small-db-url", help=f"Default {SERVER}/portfolio_bench_small.")
        parser.add_argument("--large-db-url", help=f"Default {SERVER}/portfolio_bench_large.")
        parser.add_argument(
            "--redis-url",
            default="redis://127.0.0.1:6379/1",
            help="Cache of the SMALL servers; the LARGE servers use the next database; both "
            "are emptied (default dbs 1 and 2).",
        )
        parser.add_argument(
            "--rounds", type=int, help="Rounds per mode, each measuring every size (default 5)."
        )
        parser.add_argument("--modes", help=f"Comma-separated: {', '.join(MODES)} (default all).")
        parser.add_argument(
            "--duration", type=int, help="Seconds of load per page per round (default 3)."
        )
        parser.add_argument("--connections", type=int, default=8, help="wrk connections.")
        parser.add_argument("--threads", type=int, default=1, help="wrk threads.")
        parser.add_argument(
            "--pages", help="Comma-separated page names to measure (default all; floor always)."
        )
        parser.add_argument(
            "--rebuild", action="store_true", help="Rebuild the databases even when complete."
        )
        parser.add_argument(
            "--tiny",
            action="store_true",
            help="A few projects, 1 round of 1 s, databases named …_tiny: for CI.",
        )
        parser.add_argument(
            "--work-dir",
            default=str(BASE_DIR / "var" / "bench"),
            help="Reports, collected static files, uploads and server logs (default var/bench).",
        )

    def handle(self, *args, **options):
        # A stopped benchmark (Ctrl-C or kill) still stops its servers.
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            with ExitStack() as stack:
                self.stack = stack
                self._run(**options)
        except BenchError as error:
            raise CommandError(str(error)) from error
        except KeyboardInterrupt:
            raise CommandError("Interrupted; the servers are stopped.") from None
        finally:
            signal.signal(signal.SIGTERM, previous)

    # Setting up ------------------------------------------------------------------------

    def _run(self, *, sizes, tiny, rounds, duration, rebuild, pages, modes, **options):
        table = TINY_SIZES if tiny else SIZES
        suffix = "_tiny" if tiny else ""
        asked = {name.strip() for name in sizes.split(",") if name.strip()}
        if asked - set(table) or not asked:
            raise CommandError(f"--sizes takes small and/or large, not {sizes!r}.")
        names = [name for name in table if name in asked]  # SMALL first, whatever the order.
        self.rounds = rounds or (1 if tiny else 5)
        self.duration = duration or (1 if tiny else 3)
        if self.rounds < 1 or self.duration < 1:
            raise CommandError("--rounds and --duration must be at least 1.")
        self.wanted = {p.strip() for p in pages.split(",")} if pages else None
        chosen = [m.strip() for m in modes.split(",") if m.strip()] if modes else list(MODES)
        if not chosen or (unknown := set(chosen) - set(MODES)):
            raise CommandError(f"--modes takes {', '.join(MODES)}, not {modes!r}.")
        self.modes = [mode for mode in MODES if mode in chosen]
        if self.wanted and (unknown := self.wanted - set(PAGE_NAMES)):
            raise CommandError(
                f"No page named {', '.join(sorted(unknown))}; pages: {', '.join(PAGE_NAMES)}."
            )
        urls = {
            name: options[f"{name}_db_url"] or f"{SERVER}/portfolio_bench_{name}{suffix}"
            for name in table
        }
        if not (BASE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.mo").exists():
            raise CommandError("Compile the translations first: make compilemessages.")

        work = Path(options["work_dir"]).resolve()
        (work / "logs").mkdir(parents=True, exist_ok=True)
        self.work = work
        self.redis_url = options["redis_url"]
        # Each size's servers keep their pages in a Redis database of their own (SMALL's
        # the one named, LARGE's the next, whichever sizes run): both sizes are served in
        # the same rounds.
        self.redis_urls = {
            name: _next_database(self.redis_url, offset)
            for offset, name in enumerate(table)
            if name in names
        }
        self.secret = secrets.token_urlsafe(50)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        self.report_path = work / f"{stamp}.txt"
        self.report = self.stack.enter_context(self.report_path.open("w", encoding="utf-8"))

        self._check_redis()
        wrk = ensure_wrk(self.say)
        self.load = LoadGenerator(
            wrk, threads=options["threads"], connections=options["connections"]
        )
        self.stack.callback(self.load.close)

        databases = {name: Database(urls[name]) for name in names}
        self._header(databases, wrk)
        self.say("Collecting static files…")
        manage(["collectstatic", "--no-input", "-v", "0"], self.env(None))

        sizes = [self._size(table[name], databases[name], rebuild) for name in names]
        results = {size.name: size.measured for size in sizes}
        json_path = self.report_path.with_suffix(".json")
        for mode in self.modes:
            self._mode(mode, sizes)
            # Saved after each mode: a run stopped later keeps the rounds measured.
            json_path.write_text(json.dumps(results, indent=1))
        for size in sizes:
            self._cache_effect(size.title, size.pages, size.measured["modes"])
        if {"small", "large"} <= set(results):
            self._slowdown(results["small"], results["large"])
        self.say()
        self.say(f"Saved to {self.report_path} (and every round in {json_path.name}).")

    def say(self, text: str = "") -> None:
        self.stdout.write(text)
        self.report.write(text + "\n")
        self.report.flush()

    def media_root(self, database: Database) -> Path:
        # Pages read some uploads (an image without recorded dimensions is opened to
        # measure it), so each database keeps the files made with it.
        return self.work / "media" / database.name

    def env(
        self,
        database: Database | None,
        *,
        mode: str = "cached",
        project: int | None = None,
        redis_url: str | None = None,
    ) -> dict[str, str]:
        """Return the environment of a production server (and of its manage.py commands)."""
        env = dict(os.environ)
        env.update(
            DEBUG="false",
            SECRET_KEY=self.secret,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="false",
            BENCH_FLOOR_VIEW="true",
            FRAGMENT_CACHE="true",
            REDIS_URL=redis_url or self.redis_url,
            STATIC_ROOT=str(self.work / "static"),
            STATICFILES_STORAGE="whitenoise.storage.CompressedManifestStaticFilesStorage",
            SERVE_MEDIA="false",
            LOG_LEVEL="WARNING",
        )
        env.update({name: value.format(project=project) for name, value in MODES[mode][0].items()})
        if database is not None:
            env["DATABASE_URL"] = database.url
            env["MEDIA_ROOT"] = str(self.media_root(database))
        return env

    def _check_redis(self) -> None:
        for url in self.redis_urls.values():
            try:
                redis.Redis.from_url(url, socket_timeout=5).ping()
            except redis.RedisError as error:
                raise CommandError(f"Redis is not reachable at {url}: {error}") from error

    def _flush_redis(self, url: str) -> None:
        redis.Redis.from_url(url, socket_timeout=5).flushdb()

    def _header(self, databases, wrk) -> None:
        commit = subprocess.run(
            ["git", "log", "-1", "--format=%h %s"],  # noqa: S607 - git from PATH
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        postgres = next(iter(databases.values())).server_version()
        self.say(f"Load benchmark of the public pages, {time.strftime('%Y-%m-%d %H:%M')}")
        self.say(f"commit: {commit or 'unknown'}")
        self.say(
            f"machine: {os.cpu_count()} CPUs, {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, Django {django.get_version()}, "
            f"PostgreSQL {postgres}"
        )
        self.say(
            f"servers: gunicorn config.wsgi, {WORKERS} sync workers each, DEBUG off, Redis "
            f"caches {', '.join(self.redis_urls.values())}; load: {wrk_version(wrk)}, "
            f"{self.load.threads} thread(s), "
            f"{self.load.connections} connections, on 127.0.0.1"
        )
        self.say(
            f"{self.rounds} round(s) of {self.duration} s per page; in each round of a mode, "
            f"each size in turn (SMALL first in odd rounds, LARGE first in even ones): every "
            f"page, each between two runs of the floor view "
            f"({FLOOR_SECONDS} s each) and measured against their mean; figures are medians "
            f"over the rounds"
        )

    # Measuring -------------------------------------------------------------------------

    def _size(self, size: Size, database: Database, rebuild: bool) -> Measured:
        """Build or update a size's database; find its pages; empty its cache."""
        title = size.name.upper()
        self.say()
        self.say(f"=== {title}: {database.name} ===")
        if rebuild or not is_complete(database, size, self.media_root(database)):
            self.say(
                f"Building {database.name}: {size.projects} projects, {size.partners} "
                f"partners, {size.sponsorships} sponsorships…"
            )
            seconds = build(database, size, self.env(database), self.say)
            self.say(f"Built in {seconds:.0f} s.")
        else:
            # A complete database still gets migrations added since it was built.
            manage(["migrate", "--no-input", "-v", "0"], self.env(database))

        redis_url = self.redis_urls[size.name]
        self._flush_redis(redis_url)
        found = json.loads(manage(PAGES_READ, self.env(database, redis_url=redis_url)))
        counts = found["counts"]
        self.say(
            f"{counts['projects']} published projects, {counts['partners']} partners, "
            f"{counts['sponsorships']} sponsorships"
        )
        pages = [
            page
            for page in found["pages"]
            if page["name"] == FLOOR or self.wanted is None or page["name"] in self.wanted
        ]
        broken = [f"{p['path']} ({p['status']})" for p in pages if p["status"] != 200]
        if broken:
            raise BenchError(f"These pages do not answer 200: {', '.join(broken)}")
        measured = {"counts": counts, "pages": pages, "modes": {}}
        return Measured(size.name, database, redis_url, found["project"], measured)

    def _mode(self, mode: str, sizes: list[Measured]) -> None:
        """Serve every size in this mode; warm every page, then measure them in rounds,
        each size in turn in every round, SMALL first in odd rounds and LARGE in even ones
        (their growth is measured in the same rounds); print and keep the rounds."""
        servers = []
        try:
            for size in sizes:
                log = self.work / "logs" / f"gunicorn-{size.name}-{mode}.log"
                env = self.env(
                    size.database, mode=mode, project=size.project, redis_url=size.redis_url
                )
                server = Server(env, log, WORKERS)
                self.stack.callback(server.stop)
                servers.append(server)
                server.start()
            runs = [
                self._warm(mode, size, server) for size, server in zip(sizes, servers, strict=True)
            ]
            parts = list(zip(sizes, servers, runs, strict=True))
            for number in range(1, self.rounds + 1):
                self.stdout.write(f"  {mode}: round {number}/{self.rounds}…")
                # SMALL first in odd rounds, LARGE first in even ones: what the first part
                # of a round leaves behind (the database's writes, a vacuum) slows the
                # second part's edits, and so each size's in turn.
                for size, server, (measured, loads, rounds) in parts if number % 2 else parts[::-1]:
                    loads.append(os.getloadavg()[0])
                    self._round(size, server, measured, rounds)
        finally:
            for server in servers:
                server.stop()
        for size, (measured, loads, rounds) in zip(sizes, runs, strict=True):
            self._table(size.title, mode, measured, rounds, loads)
            size.measured["modes"][mode] = {"load_average": loads, "rounds": rounds}
            if mode == "shown":
                # It may stop with a partner hidden: shown again before the next mode.
                manage(PAGES_READ, self.env(size.database, redis_url=size.redis_url))

    def _warm(self, mode: str, size: Measured, server: Server) -> tuple[list, list, dict]:
        """Start a size's mode from a vacuumed database and an empty cache, every page
        requested twice (as many times as there are workers); return the pages measured,
        the load averages and the rounds to fill."""
        # The edit modes rewrite rows thousands of times (a partner shown and hidden, a
        # project's date of publication): each mode starts from a vacuumed database, as
        # autovacuum keeps a live one (it may be off on a benchmark's server), not from
        # the dead rows of the modes before it.
        size.database.vacuum_analyze()
        self._flush_redis(size.redis_url)
        pages, alone = size.pages, None
        if edits(mode):
            # Right after the floor in every round. It shows no page: no queries counted.
            alone = {**pages[0], "name": EDIT_ALONE, "path": EDIT_ALONE_PATH}
            alone |= {"queries_miss": "-", "queries_hit": "-"}
        for page in pages:
            for _worker in range(WORKERS):
                status, _size = get(server.port, page["path"])
                if status != 200:
                    raise BenchError(
                        f"{page['path']} answered {status} on the {size.title} {mode} server."
                    )
        measured = pages if alone is None else [pages[0], alone, *pages[1:]]
        return measured, [], {page["name"]: [] for page in measured}

    def _round(self, size: Measured, server: Server, measured: list, rounds: dict) -> None:
        """Measure each page of a size once, each between two runs of the floor view: its
        ratio is to the mean of those two (``floor_rps``), measured seconds from it, not
        to one floor measured at the start of the round, up to tens of seconds earlier (a
        machine of shared cores drifts by a fifth or more within a minute)."""
        edit = any(page["name"] == EDIT_ALONE for page in measured)
        floor_path = measured[0]["path"]
        floors = []

        def run(path: str, seconds: int) -> dict:
            started = time.time()  # In the saved rounds: when each run started.
            measure = self.load.run(server.port, path, seconds)
            return {**asdict(measure), "started": round(started, 3)}

        floors.append(run(floor_path, FLOOR_SECONDS))
        for page in measured[1:]:
            measure = run(page["path"], self.duration)
            floors.append(run(floor_path, FLOOR_SECONDS))
            measure["floor_rps"] = (floors[-2]["rps"] + floors[-1]["rps"]) / 2
            rounds[page["name"]].append(measure)
            if edit and (page["name"] == EDIT_ALONE or page is measured[-1]):
                # The rows the edits rewrote, thousands of times, cleared as autovacuum
                # clears them on a live database (it may be off here): the edit alone
                # (several times as many edits as with a page) and the pages each start
                # from a clean table.
                size.database.vacuum()
        # The floor's own row: when its first run started, the medians of its runs' req/s
        # and times, their errors added up and the fewest answers of any (a run with few
        # makes the ratios beside it rough); every run kept.
        rounds[FLOOR].append(
            {
                "started": floors[0]["started"],
                **{key: median(f[key] for f in floors) for key in ("rps", "p50_ms", "p99_ms")},
                "requests": min(f["requests"] for f in floors),
                "errors": sum(f["errors"] for f in floors),
                "runs": floors,
            }
        )

    # Reporting -------------------------------------------------------------------------

    def _table(self, title, mode, pages, rounds, loads) -> None:
        floor = rounds[FLOOR]
        alone = rounds.get(EDIT_ALONE)
        self.say()
        self.say(f"{title}, {MODES[mode][1]}")
        self.say(
            f"{'page':<20}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}"
            + (f"{'net':>8}" if alone else "")
            + f"{'queries miss/hit':>18}{'bytes':>10}{'errors':>8}"
        )
        rough = False
        for page in pages:
            runs = rounds[page["name"]]
            ratio = median(
                _div(run["rps"], _floor_of(run, base))
                for run, base in zip(runs, floor, strict=True)
            )
            net = ""
            if alone:
                shown = page["name"] not in (FLOOR, EDIT_ALONE)
                net = _num(_net_ratio(runs, floor, alone), 8, 3) if shown else f"{'':>8}"
            queries = f"{page['queries_miss']}/{page['queries_hit']}"
            errors = sum(run["errors"] for run in runs)
            few = median(r["requests"] for r in runs) < FEW_ANSWERS
            rough = rough or few
            self.say(
                f"{page['name']:<20}{_num(median(r['rps'] for r in runs), 9, 1)}"
                f"{_num(median(r['p50_ms'] for r in runs), 9, 1)}"
                f"{_num(median(r['p99_ms'] for r in runs), 9, 1)}{_num(ratio, 8, 3)}{net}"
                f"{queries:>18}{page['bytes']:>10}{errors:>8}{' *' if few else ''}"
            )
        if alone:
            self.say(
                f"{EDIT_ALONE}: the floor view after the edit, the edit's own cost (an editor's "
                "save pays it in production); net: the ratio\nto the floor of the page's "
                "time without it, 1 / (1/ratio - 1/edit-alone's ratio + 1), median of the rounds"
            )
        if rough:
            self.say(
                f"* fewer than {FEW_ANSWERS} answers per round: rough figures "
                f"(a longer --duration steadies them)"
            )
        self.say(
            "load average (1 min) at the start of this size's part of each round: "
            + _numbers(loads)
        )

    def _cache_effect(self, title, pages, modes) -> None:
        if set(modes) != set(MODES):
            return
        self.say()
        self.say(f"{title}, each mode's median req/s")
        self.say(
            f"{'page':<20}" + "".join(f"{mode:>10}" for mode in MODES) + f"{'uncached/cold':>15}"
        )
        for page in pages:
            rps = {m: median(r["rps"] for r in modes[m]["rounds"][page["name"]]) for m in MODES}
            self.say(
                f"{page['name']:<20}"
                + "".join(_num(rps[m], 10, 1) for m in MODES)
                + _num(_div(rps["uncached"], rps["cold"]), 15, 2)
            )

    def _slowdown(self, small: dict, large: dict) -> None:
        self.say()
        self.say(
            "=== LARGE / SMALL: how much slower each page is on the large portfolio ===\n"
            "both sizes are measured in the same rounds; each figure is the median over the "
            "rounds of the round's own:\n"
            "time = SMALL req/s ÷ LARGE req/s (time per request); p50 = LARGE p50 ÷ SMALL p50;\n"
            "floor-relative = SMALL ratio to floor ÷ LARGE ratio to floor (machine noise "
            "cancelled);\nnet (edit modes) = the same with the net ratios, the edit's own "
            "cost taken out"
        )
        first = self.modes[0]
        names = [p["name"] for p in small["pages"] if p["name"] in large["modes"][first]["rounds"]]
        queries = {
            size: {p["name"]: f"{p['queries_miss']}/{p['queries_hit']}" for p in data["pages"]}
            for size, data in (("small", small), ("large", large))
        }
        for mode in self.modes:
            self.say()
            self.say(MODES[mode][1])
            a, b = small["modes"][mode]["rounds"], large["modes"][mode]["rounds"]
            # Each size's edit taken out (at LARGE an edit may log more projects): how
            # the page itself grows; the edit's own growth on its row.
            net = EDIT_ALONE in a and EDIT_ALONE in b
            self.say(
                f"{'page':<20}{'time':>8}{'p50':>8}{'floor-relative':>16}"
                + (f"{'net':>8}" if net else "")
                + f"{'queries SMALL':>15}{'queries LARGE':>15}"
            )
            for name in [*names, *([EDIT_ALONE] if net else [])]:
                growth = ""
                if net:
                    growth = f"{'':>8}"
                    if name not in (FLOOR, EDIT_ALONE):
                        small_net = _net_ratios(a[name], a[FLOOR], a[EDIT_ALONE])
                        large_net = _net_ratios(b[name], b[FLOOR], b[EDIT_ALONE])
                        growth = _num(_paired(small_net, large_net), 8, 2)
                time_ratio = _paired(_figures(a, name, "rps"), _figures(b, name, "rps"))
                p50_ratio = _paired(_figures(b, name, "p50_ms"), _figures(a, name, "p50_ms"))
                relative = _paired(_floor_ratios(a, name), _floor_ratios(b, name))
                self.say(
                    f"{name:<20}{_num(time_ratio, 8, 2)}{_num(p50_ratio, 8, 2)}"
                    f"{_num(relative, 16, 2)}{growth}"
                    f"{queries['small'].get(name, '-'):>15}{queries['large'].get(name, '-'):>15}"
                )


def _div(a: float, b: float) -> float:
    """Return a / b, or NaN when a page got no answer within a round (tiny runs)."""
    return a / b if b and not math.isnan(b) else float("nan")


def _num(value: float, width: int, digits: int) -> str:
    """Format a figure in a column; "-" where there is none (or no finite one)."""
    if math.isnan(value) or math.isinf(value):
        return f"{'-':>{width}}"
    return f"{value:>{width}.{digits}f}"


def _figures(rounds: dict, name: str, key: str) -> list[float]:
    """A page's figure in each round."""
    return [run[key] for run in rounds[name]]


def _floor_of(run: dict, floor: dict) -> float:
    """The floor's req/s a page's run is measured against: the mean of the floor's runs
    just before and after it (``floor_rps``); the floor's row of the round for a run
    saved without it, and for the floor itself."""
    return run["floor_rps"] if "floor_rps" in run else floor["rps"]


def _floor_ratios(rounds: dict, name: str) -> list[float]:
    """A page's ratio to the floor in each round."""
    return [
        _div(run["rps"], _floor_of(run, base))
        for run, base in zip(rounds[name], rounds[FLOOR], strict=True)
    ]


def _paired(a: list[float], b: list[float]) -> float:
    """The median over the rounds of a / b, each round's figures divided by each other
    (both sizes measured in the same round)."""
    return median(_div(x, y) for x, y in zip(a, b, strict=True))


def edits(mode: str) -> bool:
    """Tell whether this mode makes an edit before each request (``devtools.middleware``)."""
    return "BENCH_EDIT_PROJECT" in MODES[mode][0]


def net_ratio(page: float, alone: float) -> float:
    """Return a page's ratio to the floor without the edit made before it: from its ratio
    with it (``page``) and the ratio of the floor view served after the edit (``alone``),
    measured in the same round. As times, 1/ratio floors each: the page's is 1/page, the
    edit's own 1/alone - 1. Infinite when the edit measures as costing the whole page or
    more (noise on a cheap page: the round still counts, as the cheapest); NaN when a
    figure is missing."""
    if not page or not alone or math.isnan(page) or math.isnan(alone):
        return float("nan")
    time = 1 / page - (1 / alone - 1)
    return 1 / time if time > 0 else math.inf


def _net_ratios(runs: list[dict], floor: list[dict], alone: list[dict]) -> list[float]:
    """Each round's ``net_ratio``."""
    return [
        net_ratio(_div(run["rps"], _floor_of(run, base)), _div(edit["rps"], _floor_of(edit, base)))
        for run, base, edit in zip(runs, floor, alone, strict=True)
    ]


def _net_ratio(runs: list[dict], floor: list[dict], alone: list[dict]) -> float:
    """The median over the rounds of each round's ``net_ratio``."""
    return median(_net_ratios(runs, floor, alone))


def _numbers(values) -> str:
    return " ".join(f"{value:.2f}" for value in values)


def _next_database(url: str, offset: int) -> str:
    """Return a Redis address ``offset`` databases after this one (database 0 when the
    address names none)."""
    parts = urlsplit(url)
    database = parts.path.strip("/") or "0"
    if parts.scheme not in ("redis", "rediss") or "db=" in parts.query or not database.isdigit():
        raise CommandError(
            f"--redis-url takes redis://host:port/<database>, not {url!r}: the LARGE "
            "servers use the next database."
        )
    return urlunsplit(parts._replace(path=f"/{int(database) + offset}"))


def _interrupt(signum, frame):
    raise KeyboardInterrupt
