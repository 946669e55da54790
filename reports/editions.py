"""The two editions of the report to Parliament and the one rule that makes the public edition. Pure: no ORM.

Report content is plain data (dicts, lists, strings, numbers, dates) built by reports.selectors. The internal edition
renders all of it. The public edition renders `public_content(content)`: the same data with every item marked
internal removed and every internal field removed, wherever it sits. Templates show only what the content holds, so
what this rule removes cannot reach the public PDF or HTML. Selectors must therefore name internal data with one of
the INTERNAL_FIELDS keys or mark a whole item `internal_only`; tests check the extracted text of both editions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PUBLIC = "public"
INTERNAL = "internal"
EDITIONS = {PUBLIC: "Public edition", INTERNAL: "Internal edition"}
CLASSIFICATION = {PUBLIC: "OFFICIAL", INTERNAL: "OFFICIAL-SENSITIVE"}

# Fields that only the internal edition shows, by key, at any depth of the content.
INTERNAL_FIELDS = frozenset(
    {
        # Names of people: analysts, the Focal Point who decided, owners of actions and AIAs.
        "raised_by",
        "decided_by",
        "owner",
        "approved_by",
        # Case evidence: what the analyst wrote and linked, and the scores captured at submission.
        "case_summary",
        "risk_assessment",
        "evidence_links",
        "evidence",
        # Internal-only notes: action status notes, AIA findings, internal descriptions of events, drafts' counts.
        "status_note",
        "findings",
        "internal_note",
        "drafts",
    }
)
# An item (a dict inside a list) with this key set to True is left out of the public edition entirely.
INTERNAL_ONLY = "internal_only"

PUBLIC_RULE = (
    "Escalations still in draft, and methodology versions not yet published, are left out entirely.",
    "People are named by role, desk or department only: no analyst, Focal Point or action owner is named.",
    "Case evidence is left out: an escalation's summary, risk assessment and evidence links.",
    "Internal notes are left out: status notes on response actions and the findings of Atrocity Impact Assessments.",
)


def public_content(content: Any) -> Any:
    """The content with internal fields and internal-only items removed, recursively; the input is not changed."""
    if isinstance(content, Mapping):
        return {key: public_content(value) for key, value in content.items() if key not in INTERNAL_FIELDS}
    if isinstance(content, list | tuple):
        kept = [
            public_content(item)
            for item in content
            if not (isinstance(item, Mapping) and item.get(INTERNAL_ONLY) is True)
        ]
        return type(content)(kept) if isinstance(content, tuple) else kept
    return content


def content_for_edition(content: Mapping, edition: str) -> dict:
    """The content a given edition shows."""
    if edition not in EDITIONS:
        raise ValueError(f"Unknown edition {edition!r}; choose one of {', '.join(EDITIONS)}.")
    return dict(content) if edition == INTERNAL else public_content(content)
