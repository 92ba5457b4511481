"""``{% sql_panel %}``: what the current request did so far, for the panel under every browsable-API page."""

from django import template

register = template.Library()


@register.inclusion_tag("instrumentation/_sql_panel.html", takes_context=True)
def sql_panel(context):
    """A snapshot of ``request.cost`` (see instrumentation.middleware) taken where the panel is rendered."""
    cost = getattr(context.get("request"), "cost", None)  # DRF's Request passes it through from Django's
    if cost is None:
        return {"measured": False}
    return {
        "measured": True,
        "queries": cost.queries,
        "db_ms": cost.db_seconds * 1000,
        "auth_ms": cost.auth_seconds * 1000,
        # A copy: rendering the panel must not see statements added while it renders.
        "statements": list(cost.statements) if cost.recorded else None,
    }
