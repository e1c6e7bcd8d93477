"""Money and percentages as a council officer writes them: £283,000,000, £1,234.56, 67.9%."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def pounds(value) -> str:
    """£1,234.56, or £283,000,000 for whole pounds; credits as -£250.00."""
    if value in (None, ""):
        return ""
    amount = Decimal(value)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{sign}£{text}"


@register.filter
def pounds_short(value) -> str:
    """A headline sum: £45.1m from a million pounds up, else whole pounds (£120,000)."""
    if value in (None, ""):
        return ""
    amount = Decimal(value)
    if abs(amount) >= 1_000_000:
        millions = f"{abs(amount) / 1_000_000:.1f}".removesuffix(".0")
        return f"{'-' if amount < 0 else ''}£{millions}m"
    return pounds(amount.quantize(Decimal(1)))


@register.filter
def percent(value) -> str:
    """60.00 → 60%, 67.90 → 67.9%."""
    if value in (None, ""):
        return ""
    text = f"{Decimal(value):.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


@register.filter
def number(value) -> str:
    """12345 → 12,345."""
    if value in (None, ""):
        return ""
    return f"{int(value):,}"


@register.filter
def get_count(counts: dict, key: str) -> int:
    return counts.get(key, 0)
