from datetime import timedelta

from django import template

register = template.Library()


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


@register.filter
def duration(value: timedelta) -> str:
    """A wait in words, rounded to whole minutes: "1 hour", "1 hour 30 minutes", "5 minutes"."""
    minutes = max(1, round(value.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(_plural(hours, "hour"))
    if minutes:
        parts.append(_plural(minutes, "minute"))
    return " ".join(parts)
