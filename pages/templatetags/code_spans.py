"""The pages' measured tables use docs/security.md's words: `code` in backticks becomes <code>code</code>."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def code_spans(text):
    """Everything escaped; what stood between backticks wrapped in <code>."""
    parts = str(text).split("`")
    return mark_safe("".join(f"<code>{escape(part)}</code>" if i % 2 else escape(part) for i, part in enumerate(parts)))  # noqa: S308
