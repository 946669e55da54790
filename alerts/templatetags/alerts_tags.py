"""Template tags other apps' pages use to show alert rules and a country's audit timeline."""

from django import template

from alerts.selectors import alert_rules_published, timeline_for_country

register = template.Library()


@register.inclusion_tag("alerts/_rules.html")
def published_alert_rules():
    """The alert rules in force, for the methodology page: {% load alerts_tags %}{% published_alert_rules %}."""
    return {"rules": alert_rules_published()}


@register.inclusion_tag("alerts/_timeline.html", takes_context=True)
def country_timeline(context, country, limit=50):
    """A country's audit trail: {% load alerts_tags %}{% country_timeline country %}."""
    return {"timeline": timeline_for_country(country, viewer=context["request"].user, limit=limit)}
