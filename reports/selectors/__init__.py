"""Reads for reports, by concept: report records (records), the report to Parliament's content for a period
(content), and a country brief's content (brief)."""

from reports.selectors.brief import country_brief
from reports.selectors.content import (
    data_sources,
    declarations,
    escalations_activity,
    method_and_rule_changes,
    report_content,
    risk_picture,
    triggers_and_aias,
)
from reports.selectors.records import report_audit_trail, report_get, report_latest_published, reports_list

__all__ = [
    "country_brief",
    "data_sources",
    "declarations",
    "escalations_activity",
    "method_and_rule_changes",
    "report_audit_trail",
    "report_content",
    "report_get",
    "report_latest_published",
    "reports_list",
    "risk_picture",
    "triggers_and_aias",
]
