"""What the context templates draw: charts and rows built from the service's numbers."""

from dataclasses import dataclass

from markupsafe import Markup

from app.charts.columns import Column, column_chart
from app.charts.stacked import Segment, stacked_bar
from app.context.example import ContextExample, RatioClaim
from app.context.service import LABELS, Budget, Turn, attention_cost_ratio, attention_matrix_bytes


@dataclass(frozen=True)
class PartRow:
    """One row of the budget table: computed tokens beside the module's figure for that part."""

    name: str
    label: str
    tokens: int
    cut: int
    share: float  # of the window
    module: int | None


def budget_chart(budget: Budget, chart_id: str) -> Markup:
    """The window as a stacked bar: the four parts, the output reserve, free room or overflow."""
    segments = [
        Segment(
            key=part.name,
            label=part.label,
            value=part.tokens,
            cut=part.cut,
            cut_side="start" if part.name == "history" else "end",
        )
        for part in budget.parts
    ]
    segments.append(Segment(key="reserve", label=LABELS["reserve"], value=budget.reserve))
    title = f"{budget.model.name}'s {budget.window:,}-token context window"
    return stacked_bar(chart_id, segments=segments, capacity=budget.window, title=title)


def part_rows(budget: Budget, example: ContextExample) -> list[PartRow]:
    """The budget table's rows, the output reserve last."""
    module = example.figures.parts
    rows = [
        PartRow(p.name, p.label, p.tokens, p.cut, p.tokens / budget.window, module.get(p.name))
        for p in budget.parts
    ]
    rows.append(PartRow("reserve", LABELS["reserve"], budget.reserve, 0, budget.reserve / budget.window,
                        module.get("reserve")))  # fmt: skip
    return rows


def module_arithmetic(example: ContextExample) -> dict:
    """The module's own sums, redone: its parts against its "Used", window minus used against "Available"."""
    figures = example.figures
    used = sum(figures.parts.values())
    return {
        "figures": figures,
        "sum": used,
        "sum_matches": used == figures.used,
        "available": figures.window - figures.used,
        "available_matches": figures.window - figures.used == figures.available,
        "terms": [figures.parts[name] for name in ("system", "history", "documents", "user", "reserve")],
    }


def growth_view(turns: list[Turn], prefix: str) -> dict:
    """The turn-by-turn table's charts and the totals beside them."""
    sent = column_chart(
        f"{prefix}-growth-sent",
        columns=[
            Column(f"{t.number}", t.sent, f"Turn {t.number}: {t.sent:,} input tokens sent") for t in turns
        ],
        title="Input tokens sent at each turn",
        desc=", ".join(f"turn {t.number}: {t.sent:,}" for t in turns),
    )
    cumulative = column_chart(
        f"{prefix}-growth-cumulative",
        columns=[
            Column(f"{t.number}", t.cumulative, f"After turn {t.number}: {t.cumulative:,}") for t in turns
        ],
        title="Input tokens sent so far",
        desc=", ".join(f"after turn {t.number}: {t.cumulative:,}" for t in turns),
        css="col-fill col-cumulative",
    )
    first, last = turns[0], turns[-1]
    # Were the model to keep state, each message would be sent once: the last request's input.
    once = last.sent
    return {
        "turns": turns,
        "sent_chart": sent,
        "cumulative_chart": cumulative,
        "growth_factor": last.sent / first.sent if first.sent else None,
        "once": once,
        "resend_factor": last.cumulative / once if once else None,
    }


def format_factor(x: float) -> str:
    """A "times" factor for reading: 64.0 -> '64', 1.5625 -> '1.56', 0.015625 -> '0.0156'."""
    if x >= 1 and abs(x - round(x)) < 1e-9:
        return f"{round(x):,}"
    if x >= 1:
        return f"{x:,.2f}".rstrip("0").rstrip(".")
    return f"{x:.3g}"


@dataclass(frozen=True)
class ClaimRow:
    """One of the module's ratio lines beside the computed ratio."""

    claim: RatioClaim
    computed: float

    @property
    def matches(self) -> bool:
        """True when the module's stated factor is the computed one."""
        return abs(self.computed - self.claim.stated) < 1e-9


def ratio_view(short: int, long: int, example: ContextExample, prefix: str) -> dict:
    """The learner's two lengths and the module's 4K / 32K / 128K lines, each ratio computed as (n2/n1)^2."""
    claims = [
        ClaimRow(claim, attention_cost_ratio(claim.short_k * 1_000, claim.long_k * 1_000))
        for claim in example.ratio_claims
    ]
    baseline = claims[0].claim.short_k if claims else 4
    lengths = [baseline] + [row.claim.long_k for row in claims if row.claim.short_k == baseline]
    chart = column_chart(
        f"{prefix}-ratio-chart",
        columns=[
            Column(
                f"{k}K", attention_cost_ratio(baseline, k), f"{k}K: {attention_cost_ratio(baseline, k):,.0f}x"
            )
            for k in lengths
        ],
        title=f"Attention computation relative to {baseline}K tokens",
        desc=", ".join(f"{k}K: {attention_cost_ratio(baseline, k):,.0f} times" for k in lengths),
    )
    return {
        "short": short,
        "long": long,
        "ratio": attention_cost_ratio(short, long),
        "ratio_text": format_factor(attention_cost_ratio(short, long)),
        "linear_text": format_factor(long / short),
        "claims": claims,
        "chart": chart,
        "matrix_bytes": {n: attention_matrix_bytes(n) for n in (short, long)},
    }
