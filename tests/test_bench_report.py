"""The README's tables of a benchmark run (``manage.py bench_report``), from made-up rounds."""

import json
import math
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from devtools.management.commands import bench_report

ROUNDS = 3


def runs(rps: float) -> list[dict]:
    """A page's runs, the same each round, beside floor runs of 1 000 req/s."""
    run = {"rps": rps, "floor_rps": 1000.0, "p50_ms": 1, "p99_ms": 1, "errors": 0, "requests": 9}
    return [dict(run) for _round in range(ROUNDS)]


def size(cached: dict, edited: dict) -> dict:
    floor = [
        {"rps": 1000.0, "p50_ms": 1, "p99_ms": 1, "errors": 0, "requests": 9}
        for _round in range(ROUNDS)
    ]
    pages = [
        {"name": name, "queries_miss": 1, "queries_hit": 0, "bytes": 9}
        for name in ("floor", "home", "feed")
    ]
    return {
        "counts": {},
        "pages": pages,
        "modes": {
            "cached": {
                "load_average": [1.0] * ROUNDS,
                "rounds": {"floor": floor} | {name: runs(rps) for name, rps in cached.items()},
            },
            "edited": {
                "load_average": [1.0] * ROUNDS,
                "rounds": {"floor": floor} | {name: runs(rps) for name, rps in edited.items()},
            },
        },
    }


# The edit alone at half the floor: a page's net ratio is 1 / (1/ratio - 2 + 1).
RUN = {
    "small": size({"home": 1100, "feed": 1200}, {"home": 50, "feed": 65, "edit-alone": 500}),
    "large": size({"home": 50, "feed": 1300}, {"home": 40, "feed": 58, "edit-alone": 500}),
}


@pytest.fixture
def printed(tmp_path):
    path = tmp_path / "run.json"
    path.write_text(json.dumps(RUN))
    out = StringIO()
    call_command("bench_report", str(path), stdout=out)
    return out.getvalue().splitlines()


def row(lines: list[str], first: str, table: int) -> list[str]:
    """The cells of the row starting with ``first`` in the ``table``-th table (from 0)."""
    tables = [[]]
    for line in lines:
        if line.startswith("|"):
            tables[-1].append(line)
        elif tables[-1]:
            tables.append([])
    found = next(line for line in tables[table] if line.startswith(f"| {first} |"))
    return [cell.strip() for cell in found.strip("|").split("|")]


def test_each_page_shows_its_ratio_and_in_the_edit_modes_its_net_ratio(printed):
    assert row(printed, "page", 0) == ["page", "cached S", "cached L", "edited S", "edited L"]
    assert row(printed, "home", 0) == ["home", "1.100", "0.050", "0.050 (0.053)", "0.040 (0.042)"]
    assert row(printed, "feed", 0) == ["feed", "1.200", "1.300", "0.065 (0.070)", "0.058 (0.062)"]
    assert row(printed, "edit-alone", 0) == ["edit-alone", "", "", "0.500", "0.500"]


def test_each_mode_names_the_pages_below_the_bar_net_and_with_the_edit_counted(printed):
    assert row(printed, "cached", 1) == [
        "cached",
        "0.050–1.300",
        "1.100–1.200",
        "–",
        "–",
        "1: home",
        "0",
        "–",
    ]
    assert row(printed, "edited", 1) == [
        "edited",
        "0.040–0.058",
        "0.050–0.065",
        "0.042–0.062",
        "0.053–0.070",
        "1: home",
        "1: home",
        "2 / 1: L home 0.040, feed 0.058; S home 0.050",
    ]


def test_each_mode_names_the_pages_that_grow_more_than_the_bar(printed):
    assert row(printed, "cached", 2) == ["cached", "0.92–22.00", "–", "1: home 22.00", "–", "–"]
    assert row(printed, "edited", 2) == [
        "edited",
        "1.12–1.25",
        "1.13–1.26",
        "1: home 1.25",
        "1: home 1.26",
        "1.00",
    ]


def test_a_run_of_one_size_is_refused(tmp_path):
    path = tmp_path / "small.json"
    path.write_text(json.dumps({"small": RUN["small"]}))
    with pytest.raises(CommandError, match="no run of both sizes"):
        call_command("bench_report", str(path), stdout=StringIO())


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("bench_report", str(tmp_path / "none.json"), stdout=StringIO())


def test_a_figure_next_to_a_bar_does_not_read_as_the_bar():
    assert bench_report._figure(0.0598, 3, 0.06) == "0.0598"
    assert bench_report._figure(1.2004, 2, 1.2) == "1.2004"
    assert bench_report._figure(0.0612, 3, 0.06) == "0.061"
    assert bench_report._figure(math.inf) == bench_report._figure(math.nan) == "-"


def test_a_file_that_is_no_run_is_refused(tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"small": {}, "large": {}}))
    with pytest.raises(CommandError, match=r"is not a run saved by manage\.py bench"):
        call_command("bench_report", str(path), stdout=StringIO())


def test_by_default_the_latest_run_of_both_sizes_is_read(tmp_path, monkeypatch):
    runs = tmp_path / "var" / "bench"
    runs.mkdir(parents=True)
    (runs / "20261201-090000.json").write_text(json.dumps(RUN))
    (runs / "20261202-090000.json").write_text(json.dumps({"small": RUN["small"]}))
    monkeypatch.setattr(bench_report, "BASE_DIR", tmp_path)
    out = StringIO()
    call_command("bench_report", stdout=out)
    assert out.getvalue().startswith("<!-- 20261201-090000.json -->")
