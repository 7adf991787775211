"""Line charts of a load run's timeline as inline SVG: no script, no library, nothing fetched.

Every text is escaped; every number is formatted by us, so the markup is safe to place in the page.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 180
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 14, 28


def _nice_top(value: float) -> float:
    """A round upper bound at or above `value` (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    step = 10 ** len(str(int(value))) / 10 if value >= 1 else 1.0
    for factor in (1, 2, 5, 10):
        if value <= factor * step:
            return float(factor * step)
    return float(10 * step)


def line_chart(
    title: str, unit: str, series: Sequence[tuple[str, str, Sequence[tuple[float, float]]]]
) -> Markup:
    """One chart: `series` are (label, CSS colour, [(seconds, value)]) drawn over the run's time."""
    points = [p for _, _, pts in series for p in pts]
    if not points:
        return Markup("")
    t_max = max(t for t, _ in points) or 1.0
    y_max = _nice_top(max(v for _, v in points))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(t: float) -> str:
        return f"{LEFT + plot_w * t / t_max:.1f}"

    def y(v: float) -> str:
        return f"{TOP + plot_h * (1 - v / y_max):.1f}"

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" class="axis"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" class="axis"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{y_max:g}</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end">0</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_h / 2:.0f}" text-anchor="end">{escape(unit)}</text>',
        f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 8}" text-anchor="end">{t_max:g} s</text>',
        f'<text x="{LEFT}" y="{HEIGHT - 8}">0 s</text>',
    ]
    for index, (label, colour, pts) in enumerate(series):
        line = " ".join(f"{x(t)},{y(v)}" for t, v in pts)
        parts.append(f'<polyline fill="none" stroke="{escape(colour)}" stroke-width="2" points="{line}"/>')
        left = LEFT + 8 + 160 * index
        parts.append(f'<text x="{left}" y="{TOP + 12}" fill="{escape(colour)}">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def timeline_charts(timeline: Sequence[dict[str, float]]) -> list[Markup]:
    """The load report's charts: throughput and failures, p95 latency, users — over the run's time."""
    if not timeline:
        return []

    def of(key: str) -> list[tuple[float, float]]:
        return [(s["t_s"], s[key]) for s in timeline]

    return [
        line_chart(
            "Requests per second / Kald pr. sekund",
            "req/s",
            [("req/s", "#0b57d0", of("rps")), ("failures/s · fejl/s", "#a4161a", of("fail_per_s"))],
        ),
        line_chart(
            "95th percentile latency / Svartid, 95. percentil", "ms", [("p95 ms", "#6a1b9a", of("p95_ms"))]
        ),
        line_chart("Users / Brugere", "users", [("users · brugere", "#17663a", of("users"))]),
    ]
