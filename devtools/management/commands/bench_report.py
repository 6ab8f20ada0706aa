"""The README's tables of a benchmark run, from the figures it saved (``manage.py bench``)."""

import json
import math
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from devtools.benchmark import BASE_DIR
from devtools.management.commands.bench import (
    EDIT_ALONE,
    MODES,
    _floor_ratios,
    _net_ratio,
    _net_ratios,
    _paired,
    median,
)
from devtools.pages import FLOOR

# The bars the public pages are held to: after an edit, at least this share of the
# floor; at most this many times slower at LARGE than at SMALL.
LOWEST_RATIO = 0.06
MOST_GROWTH = 1.2
SIZES = ("small", "large")


class Command(BaseCommand):
    help = (
        "Print, as Markdown, the tables of a benchmark run that the README's figures show: "
        "every page's ratio by mode and size, each mode's ranges and the pages below 0.06, "
        "and each mode's growth from SMALL to LARGE with the pages above 1.2."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "run",
            nargs="?",
            help="The run's .json (default: the latest in var/bench/).",
        )

    def handle(self, *args, run=None, **options):
        path = Path(run) if run else _latest_run()
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        if not all(size in data for size in SIZES):
            raise CommandError(f"{path} holds no run of both sizes (small and large).")
        self.stdout.write(f"<!-- {path.name} -->\n" + report(data))


def _latest_run() -> Path:
    runs = sorted((BASE_DIR / "var" / "bench").glob("*.json"))
    if not runs:
        raise CommandError("No run in var/bench/: run `make bench` first, or name a .json.")
    return runs[-1]


def report(data: dict) -> str:
    """Return the three tables of a run of both sizes: the modes both sizes ran, in the
    benchmark's order, and the pages measured."""
    small, large = data["small"], data["large"]
    modes = [mode for mode in MODES if mode in small["modes"] and mode in large["modes"]]
    if not modes:
        raise CommandError("The run measured no mode at both sizes.")
    pages = [page["name"] for page in small["pages"] if page["name"] != FLOOR]
    return (
        "\n\n".join(
            [
                _pages_table(small, large, modes, pages),
                _modes_table(small, large, modes, pages),
                _growth_table(small, large, modes, pages),
            ]
        )
        + "\n"
    )


def _rounds(size: dict, mode: str) -> dict:
    return size["modes"][mode]["rounds"]


def _ratio(size: dict, mode: str, name: str) -> float:
    return median(_floor_ratios(_rounds(size, mode), name))


def _net(size: dict, mode: str, name: str) -> float | None:
    """The page's net ratio (the edit taken out); None in a mode without edits."""
    rounds = _rounds(size, mode)
    if EDIT_ALONE not in rounds:
        return None
    return _net_ratio(rounds[name], rounds[FLOOR], rounds[EDIT_ALONE])


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _head(cells: list[str]) -> str:
    return _row(cells) + "\n|" + "---|" * len(cells)


def _pages_table(small, large, modes, pages) -> str:
    lines = [_head(["page", *(f"{mode} {size[0].upper()}" for mode in modes for size in SIZES)])]
    for name in [*pages, EDIT_ALONE]:
        cells = [name]
        for mode in modes:
            for size in (small, large):
                if name == EDIT_ALONE:
                    edits = EDIT_ALONE in _rounds(size, mode)
                    cells.append(f"{_ratio(size, mode, name):.3f}" if edits else "")
                    continue
                net = _net(size, mode, name)
                cells.append(
                    f"{_ratio(size, mode, name):.3f}" + ("" if net is None else f" ({net:.3f})")
                )
        lines.append(_row(cells))
    return "\n".join(lines)


def _finite(values) -> list[float]:
    """The figures there are (NaN: a page without answers in its rounds)."""
    return [value for value in values if not math.isnan(value)] or [math.nan]


def _span(values, digits: int = 3) -> str:
    values = _finite(values)
    return f"{min(values):.{digits}f}–{max(values):.{digits}f}"


def _named(names: list[str], figures: dict | None = None, digits: int = 3) -> str:
    """How many pages, and which (with their figure)."""
    if not names:
        return "0"
    each = (name if figures is None else f"{name} {figures[name]:.{digits}f}" for name in names)
    return f"{len(names)}: " + ", ".join(each)


def _modes_table(small, large, modes, pages) -> str:
    lines = [
        _head(
            [
                "mode",
                "LARGE ratio",
                "SMALL ratio",
                "LARGE net",
                "SMALL net",
                f"below {LOWEST_RATIO} at LARGE (net)",
                f"below {LOWEST_RATIO} at SMALL (net)",
                f"below {LOWEST_RATIO} with the edit counted (L / S)",
            ]
        )
    ]
    for mode in modes:
        ratios = [{name: _ratio(size, mode, name) for name in pages} for size in (large, small)]
        nets = [{name: _net(size, mode, name) for name in pages} for size in (large, small)]
        edits = all(value is not None for value in nets[0].values())
        # Without edits, the ratio is the page's own: it is what is held to the bar.
        own = nets if edits else ratios
        below = [[name for name in pages if figures[name] < LOWEST_RATIO] for figures in own]
        cells = [mode, _span(ratios[0].values()), _span(ratios[1].values())]
        if edits:
            cells += [_span(nets[0].values()), _span(nets[1].values())]
        else:
            cells += ["–", "–"]
        cells += [_named(below[0]), _named(below[1])]
        if edits:
            counted = [
                [name for name in pages if figures[name] < LOWEST_RATIO] for figures in ratios
            ]
            which = "; ".join(
                f"{letter} " + _named(names, figures).split(": ", 1)[1]
                for letter, names, figures in zip("LS", counted, ratios, strict=True)
                if names
            )
            cells.append(f"{len(counted[0])} / {len(counted[1])}" + (f": {which}" if which else ""))
        else:
            cells.append("–")
        lines.append(_row(cells))
    return "\n".join(lines)


def _growth_table(small, large, modes, pages) -> str:
    lines = [
        _head(
            [
                "mode",
                "floor-relative",
                "net",
                f"above {MOST_GROWTH} (floor-relative)",
                f"above {MOST_GROWTH} (net)",
                "edit-alone floor-relative",
            ]
        )
    ]
    for mode in modes:
        a, b = _rounds(small, mode), _rounds(large, mode)
        relative = {name: _paired(_floor_ratios(a, name), _floor_ratios(b, name)) for name in pages}
        above = [name for name in pages if relative[name] > MOST_GROWTH]
        if EDIT_ALONE in a and EDIT_ALONE in b:
            net = {
                name: _paired(
                    _net_ratios(a[name], a[FLOOR], a[EDIT_ALONE]),
                    _net_ratios(b[name], b[FLOOR], b[EDIT_ALONE]),
                )
                for name in pages
            }
            net_above = [name for name in pages if net[name] > MOST_GROWTH]
            alone = _paired(_floor_ratios(a, EDIT_ALONE), _floor_ratios(b, EDIT_ALONE))
            cells = [
                mode,
                _span(relative.values(), 2),
                _span(net.values(), 2),
                _named(above, relative, 2),
                _named(net_above, net, 2),
                f"{alone:.2f}",
            ]
        else:
            cells = [
                mode,
                _span(relative.values(), 2),
                "–",
                _named(above, relative, 2),
                "–",
                "–",
            ]
        lines.append(_row(cells))
    return "\n".join(lines)
