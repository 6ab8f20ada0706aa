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
BOTH = ("small", "large")


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
            help="The run's .json (default: the latest run of both sizes in var/bench/).",
        )

    def handle(self, *args, run=None, **options):
        path = Path(run) if run else _latest_run()
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        if not isinstance(data, dict) or not all(size in data for size in BOTH):
            raise CommandError(f"{path} holds no run of both sizes (small and large).")
        try:
            tables = report(data)
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            raise CommandError(
                f"{path} is not a run saved by manage.py bench: {error!r}"
            ) from error
        self.stdout.write(f"<!-- {path.name} -->\n" + tables)


def _latest_run() -> Path:
    """The latest run of both sizes in var/bench/ (named by when it started)."""
    for path in sorted((BASE_DIR / "var" / "bench").glob("*.json"), reverse=True):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and all(size in data for size in BOTH):
            return path
    raise CommandError("No run of both sizes in var/bench/: run `make bench`, or name a .json.")


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


def _edits(*sizes: dict, mode: str) -> bool:
    """Whether the mode made an edit before each request (its edit alone measured)."""
    return all(EDIT_ALONE in _rounds(size, mode) for size in sizes)


def _net(size: dict, mode: str, name: str) -> float | None:
    """The page's net ratio (the edit taken out); None in a mode without edits."""
    if not _edits(size, mode=mode):
        return None
    rounds = _rounds(size, mode)
    return _net_ratio(rounds[name], rounds[FLOOR], rounds[EDIT_ALONE])


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _head(cells: list[str]) -> str:
    return _row(cells) + "\n|" + "---|" * len(cells)


def _pages_table(small, large, modes, pages) -> str:
    lines = [_head(["page", *(f"{mode} {size[0].upper()}" for mode in modes for size in BOTH)])]
    for name in [*pages, EDIT_ALONE]:
        cells = [name]
        for mode in modes:
            for size in (small, large):
                if name == EDIT_ALONE:
                    edits = _edits(size, mode=mode)
                    cells.append(_figure(_ratio(size, mode, name)) if edits else "")
                    continue
                net = _net(size, mode, name)
                ratio = _figure(_ratio(size, mode, name))
                cells.append(ratio if net is None else f"{ratio} ({_figure(net)})")
        lines.append(_row(cells))
    return "\n".join(lines)


def _figure(value: float, digits: int = 3, bar: float | None = None) -> str:
    """A figure as the tables print it; "-" where there is none (a page without answers,
    a net ratio the noise made infinite). Next to a bar, with as many more digits as it
    takes not to read as the bar itself (0.0598 is below 0.06)."""
    if not math.isfinite(value):
        return "-"
    shown = f"{value:.{digits}f}"
    while bar is not None and value != bar and float(shown) == bar and digits < 6:
        digits += 1
        shown = f"{value:.{digits}f}"
    return shown


def _span(values, digits: int = 3) -> str:
    """The lowest and highest finite figures ("-" when there is none)."""
    values = [value for value in values if math.isfinite(value)]
    if not values:
        return "-"
    return f"{_figure(min(values), digits)}–{_figure(max(values), digits)}"


def _listed(names: list[str], figures: dict, bar: float, digits: int = 3) -> str:
    """These pages, each with its figure."""
    return ", ".join(f"{name} {_figure(figures[name], digits, bar)}" for name in names)


def _named(names: list[str], figures: dict | None = None, bar: float = 0, digits: int = 3) -> str:
    """How many pages, and which (with their figure)."""
    if not names:
        return "0"
    each = ", ".join(names) if figures is None else _listed(names, figures, bar, digits)
    return f"{len(names)}: {each}"


def _below(figures: dict, pages: list[str]) -> list[str]:
    """The pages whose figure is below the bar."""
    return [name for name in pages if figures[name] < LOWEST_RATIO]


def _modes_table(small, large, modes, pages) -> str:
    lines = [
        _head(
            [
                "mode",
                "LARGE ratio",
                "SMALL ratio",
                "LARGE net",
                "SMALL net",
                f"below {LOWEST_RATIO} at LARGE (net in the edit modes)",
                f"below {LOWEST_RATIO} at SMALL (net in the edit modes)",
                f"below {LOWEST_RATIO} with the edit counted (L / S)",
            ]
        )
    ]
    for mode in modes:
        ratios = [{name: _ratio(size, mode, name) for name in pages} for size in (large, small)]
        nets = [{name: _net(size, mode, name) for name in pages} for size in (large, small)]
        edits = _edits(large, small, mode=mode)
        # Without edits, the ratio is the page's own: it is what is held to the bar.
        below = [_below(figures, pages) for figures in (nets if edits else ratios)]
        cells = [mode, _span(ratios[0].values()), _span(ratios[1].values())]
        if edits:
            cells += [_span(nets[0].values()), _span(nets[1].values())]
        else:
            cells += ["–", "–"]
        cells += [_named(below[0]), _named(below[1])]
        if edits:
            counted = [_below(figures, pages) for figures in ratios]
            which = "; ".join(
                f"{letter} " + _listed(names, figures, LOWEST_RATIO)
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
        net_cells = ["–", "–", "–"]  # Without edits: no net ratio, no edit alone.
        if _edits(small, large, mode=mode):
            net = {
                name: _paired(
                    _net_ratios(a[name], a[FLOOR], a[EDIT_ALONE]),
                    _net_ratios(b[name], b[FLOOR], b[EDIT_ALONE]),
                )
                for name in pages
            }
            net_above = [name for name in pages if net[name] > MOST_GROWTH]
            alone = _paired(_floor_ratios(a, EDIT_ALONE), _floor_ratios(b, EDIT_ALONE))
            net_cells = [
                _span(net.values(), 2),
                _named(net_above, net, MOST_GROWTH, 2),
                _figure(alone, 2),
            ]
        cells = [mode, _span(relative.values(), 2), net_cells[0]]
        cells += [_named(above, relative, MOST_GROWTH, 2), *net_cells[1:]]
        lines.append(_row(cells))
    return "\n".join(lines)
