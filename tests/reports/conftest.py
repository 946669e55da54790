"""A hand-built third quarter of 2026, made through the services as users would make it, for the report tests.

Alphaland (QAA, alice's desk) rises from high to very high; the Focal Point (fiona) declares imminent risk on it with
two response actions; Betaland (QBB, bob's desk) has an urgent case still waiting at the quarter's end; alice keeps a
draft she never submits; a commission of inquiry opens an Atrocity Impact Assessment that is completed; a
methodology version and an alert rule are published, and another methodology version stays unpublished.
Strings that only the internal edition may show are collected in INTERNAL_STRINGS.
"""

import datetime as dt
import subprocess
from pathlib import Path

import pytest
import time_machine

from alerts import services as alert_services
from alerts.models import AlertRule
from indicators.models import Methodology
from reports import services as report_services
from reports.models import Report
from tests.alerts.factories import CountryScoreFactory, ScoreRunFactory
from tests.factories import AssessmentFactory, indicator

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports"

RATIONALE = "Killings of the Gamma minority have spread to three provinces and officials incite them openly."
CASE_SUMMARY = "Militia convoys gather around Gamma villages near the northern border."
RISK_ASSESSMENT = "Indicators 10.1 and 10.3 at serious: hate speech broadcast by the governor's office."
EVIDENCE_LINK = "https://example.org/internal/intercept-4711"
STATUS_NOTE = "Legal review of the designation package slipped two weeks."
DRAFT_SUMMARY = "Unverified rumour of a coup plot in Betaland's capital."
AIA_FINDING = "Our export licences for armoured vehicles reach the 4th Brigade."
DRAFT_METHOD = "Draft weighting under discussion"
ASSESSMENT_EVIDENCE = "Embassy cable 2026-0917 on the governor's speech."
ACTION_OWNER = "Jane Sanctionsdesk"

INTERNAL_STRINGS = {
    "analyst name": "Alice Analystova",
    "focal point name": "Fiona Focalpoint",
    "action owner": ACTION_OWNER,
    "case summary": CASE_SUMMARY,
    "risk assessment": RISK_ASSESSMENT,
    "evidence link": EVIDENCE_LINK,
    "status note": STATUS_NOTE,
    "AIA finding": AIA_FINDING,
    "draft methodology": DRAFT_METHOD,
}
NEVER_IN_ANY_EDITION = {"draft escalation": DRAFT_SUMMARY}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The personas' passwords are never checked here; hashing them the slow, safe way costs a second each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def at(day: dt.date, hour: int = 9) -> time_machine.travel:
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def quarter(country_a, country_b, alice, bob, fiona, ada):
    """The hand-built 2026-Q3 (see the module docstring); returns the objects tests look at."""
    alice.first_name, alice.last_name = "Alice", "Analystova"
    alice.save()
    fiona.first_name, fiona.last_name = "Fiona", "Focalpoint"
    fiona.save()
    run = ScoreRunFactory()
    for country, before, after in ((country_a, 55.0, 80.0), (country_b, 30.0, 20.0)):
        CountryScoreFactory(country=country, month=dt.date(2026, 6, 1), overall=before, run=run)
        CountryScoreFactory(country=country, month=dt.date(2026, 9, 1), overall=after, run=run)
    AssessmentFactory(
        country=country_a,
        author=alice,
        indicator=indicator("10.1"),
        severity=3,
        evidence=ASSESSMENT_EVIDENCE,
        observed_on=dt.date(2026, 9, 3),
        source="Embassy reporting",
    )

    with at(dt.date(2026, 7, 2)):
        declared = alert_services.escalation_create(
            country=country_a,
            user=alice,
            summary=CASE_SUMMARY,
            risk_assessment=RISK_ASSESSMENT,
            evidence_links=[EVIDENCE_LINK],
            urgency="urgent",
            submit=True,
        )
    with at(dt.date(2026, 7, 2), hour=15):
        declared = alert_services.escalation_claim(escalation_id=declared.pk, user=fiona)
        declared = alert_services.escalation_decide(
            escalation=declared,
            user=fiona,
            decision="declare_imminent_risk",
            rationale=RATIONALE,
            actions=[
                {
                    "tool": "targeted_sanctions",
                    "lead_department": "hmt_ofsi",
                    "owner": ACTION_OWNER,
                    "due_on": dt.date(2026, 8, 15),
                },
                {
                    "tool": "diplomatic_engagement",
                    "lead_department": "fcdo",
                    "owner": "Head of Africa Directorate",
                    "due_on": dt.date(2026, 7, 30),
                },
            ],
        )
    sanctions = declared.actions.get(tool="targeted_sanctions")
    with at(dt.date(2026, 8, 1)):
        alert_services.response_action_set_status(action=sanctions, user=fiona, status="in_progress", note=STATUS_NOTE)
    diplomacy = declared.actions.get(tool="diplomatic_engagement")
    with at(dt.date(2026, 7, 28)):
        alert_services.response_action_set_status(action=diplomacy, user=fiona, status="done", note="Démarche made.")

    with at(dt.date(2026, 8, 10)):
        waiting = alert_services.escalation_create(
            country=country_b,
            user=bob,
            summary="Arrests of opposition leaders.",
            risk_assessment="Factor 6.",
            urgency="urgent",
            submit=True,
        )
    with at(dt.date(2026, 8, 15)):
        draft = alert_services.escalation_create(
            country=country_b,
            user=bob,
            summary=DRAFT_SUMMARY,
            risk_assessment="Unconfirmed.",
        )

    with at(dt.date(2026, 8, 20)):
        aia = alert_services.trigger_event_record(
            country=country_a,
            user=fiona,
            kind="commission_of_inquiry",
            title="Commission of inquiry finds crimes against humanity in Alphaland",
            occurred_on=dt.date(2026, 8, 19),
            owner=alice,
            due_on=dt.date(2026, 9, 30),
            source_url="https://example.org/coi-report",
        )
    with at(dt.date(2026, 9, 10)):
        areas = {field: f"Reviewed: {field}." for field, _label, _text in aia.areas}
        areas["leverage_over_perpetrators"] = AIA_FINDING
        aia = alert_services.impact_assessment_update(aia=aia, user=alice, areas=areas)
        aia = alert_services.impact_assessment_complete(aia=aia, user=alice)

    Methodology.objects.create(
        version=9,
        name="Fused sources",
        description="Every source counts.",
        parameters={},
        published_at=dt.datetime(2026, 8, 1, tzinfo=dt.UTC),
    )
    with at(dt.date(2026, 9, 5)):
        Methodology.objects.create(version=10, name=DRAFT_METHOD, parameters={})
    rule = AlertRule.objects.get(kind="sharp_rise", is_active=True)
    with at(dt.date(2026, 9, 1)):
        alert_services.alert_rule_publish(
            kind="sharp_rise",
            name="Sharp rise (tighter)",
            description="Fires on a rise of 8 points in 3 months.",
            parameters=rule.parameters,
            actor=ada,
        )
    return {"declared": declared, "waiting": waiting, "draft": draft, "aia": aia}


@pytest.fixture
def fast_pdf(monkeypatch):
    """Lifecycle tests need a stored file, not a real rendering: the PDF step returns small fixed bytes."""
    from reports import rendering

    monkeypatch.setattr(rendering, "pdf_from_html", lambda html: (b"%PDF-1.7 test " + html[:40].encode(), 3))


@pytest.fixture
def failed_report(fiona, monkeypatch) -> Report:
    """A public 2026-Q3 report whose generation failed by its own error (the PDF library cannot load)."""

    def broken(**kwargs):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(report_services, "report_render", broken)
    report = report_services.report_request(period="2026-Q3", edition="public", user=fiona)
    with pytest.raises(OSError):
        report_services.report_build(report_id=report.pk)
    report.refresh_from_db()
    return report


def pdf_pages_text(pdf: bytes, tmp_path: Path, name: str) -> list[str]:
    """The text of each page, as pdftotext extracts it (pages split on form feeds)."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return [page for page in text.split("\f") if page.strip()]


def save_first_page_png(pdf: bytes, name: str) -> Path:
    """Save the PDF's first page as test-artifacts/reports/<name>.png for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(source), str(ARTIFACTS / name)],
        check=True,
    )
    return ARTIFACTS / f"{name}.png"
