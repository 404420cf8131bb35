"""How the catalog's pages write prices, costs and token counts."""

from decimal import Decimal

from app.tokenizer.service import format_usd


def price_text(value: Decimal | float | None) -> str:
    """A price per 1M tokens the way the module writes one: 2.5 -> '$2.50', 10 -> '$10', 0.075 -> '$0.075'."""
    if value is None:
        return "—"
    text = f"{Decimal(str(value)).normalize():f}"
    whole, _, cents = text.partition(".")
    if cents and len(cents) == 1:
        cents += "0"
    return f"${int(whole):,}" + (f".{cents}" if cents else "")


def usd_text(value: float | None) -> str:
    """A cost in dollars: cents from $1 up ('$16,609.50'), else to a fraction of a cent; '—' without one."""
    if value is None:
        return "—"
    return f"${value:,.2f}".removesuffix(".00") if value >= 1 else format_usd(value)


def tokens_text(value: int | None) -> str:
    """A token count with thousands separators: 128000 -> '128,000'."""
    return "—" if value is None else f"{value:,}"


def ratio_text(value: float | None) -> str:
    """An output/input price ratio: 4.0 -> '4x', 1.339 -> '1.34x'."""
    return "—" if value is None else f"{value:.3g}x"
