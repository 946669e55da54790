from django import template

register = template.Library()


@register.filter
def probability(value: float | None) -> str:
    """A probability as a percentage with one decimal ('3.2%'), or an em dash."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"


@register.filter
def figure(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "—"
    return f"{value:.{int(digits)}f}"


@register.filter
def feature_label(name: str, labels: dict) -> str:
    base = name.removesuffix("__missing")
    label = labels.get(base, base)
    return f"{label} — value missing" if name.endswith("__missing") else label
