"""The FtM mapping's vocabulary and the pure records a parse yields: schemata per kind, located line errors,
provenance, actor and relationship records, and the parse result."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

BLOCK = "atrocity_watch"
COMMAND_ROLE_PREFIX = "command"
CONFIDENCES = ("low", "medium", "high")

# Our actor kinds and the FtM schema a new actor of that kind gets.
KIND_SCHEMA = {
    "person": "Person",
    "armed_group": "Organization",
    "security_unit": "Organization",
    "ministry": "PublicBody",
    "organization": "Organization",
    "company": "Company",
    "vessel": "Vessel",
    "airplane": "Airplane",
}
# FtM schemata we store as actors, and the kind an actor of that schema gets when the file does not say.
ACTOR_SCHEMATA = {
    "Person": "person",
    "Organization": "organization",
    "PublicBody": "ministry",
    "LegalEntity": "organization",
    "Company": "company",
    "Vessel": "vessel",
    "Airplane": "airplane",
}
# FtM edge schemata we store as relationships: (our default kind, source property, target property).
EDGE_SCHEMATA = {
    "Directorship": ("directorship", "director", "organization"),
    "Membership": ("membership", "member", "organization"),
    "Employment": ("employment", "employee", "employer"),
    "Ownership": ("ownership", "owner", "asset"),
    "Payment": ("payment", "payer", "beneficiary"),
    "Family": ("family", "person", "relative"),
    "Associate": ("associate", "person", "associate"),
    "UnknownLink": ("unknown_link", "subject", "object"),
    "ContractAward": ("supply", "supplier", "contract"),
}
KIND_EDGE_SCHEMA = {
    "command": "Directorship",
    "directorship": "Directorship",
    "membership": "Membership",
    "employment": "Employment",
    "ownership": "Ownership",
    "payment": "Payment",
    "supply": "ContractAward",
    "family": "Family",
    "associate": "Associate",
    "unknown_link": "UnknownLink",
    "sanction": "Sanction",
}
# Properties whose countries say which countries an actor concerns, when the file has no atrocity_watch block.
COUNTRY_PROPERTIES = ("country", "jurisdiction", "mainCountry", "nationality", "citizenship", "flag")
LABEL_PROPERTIES = ("role", "relationship", "ownershipType", "purpose", "program", "authority", "title")


@dataclass(frozen=True)
class LineError:
    """A problem in the file, located by its line number (the first line is 1)."""

    line: int | None
    message: str
    entity_id: str = ""

    def as_dict(self) -> dict:
        return {"row": self.line, "column": self.entity_id or None, "message": self.message, "value": ""}

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        who = f" (entity {self.entity_id})" if self.entity_id else ""
        return f"{where}{who}: {self.message}"


@dataclass
class Provenance:
    """Metadata every actor and relationship carries; read from the atrocity_watch block or derived."""

    sources: list[str]
    confidence: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    country_codes: list[str]
    withdrawn: bool = False
    kind: str = ""


@dataclass
class ActorRecord:
    line: int
    ftm_id: str
    schema: str
    kind: str
    name: str
    properties: dict
    provenance: Provenance


@dataclass
class RelationshipRecord:
    line: int
    ftm_id: str
    schema: str
    kind: str
    source_id: str
    target_id: str | None
    label: str
    properties: dict
    provenance: Provenance
    # A supply relationship keeps the FtM Contract it came with, so export gives it back unchanged.
    contract: dict | None = None


@dataclass
class FtmParse:
    actors: list[ActorRecord] = field(default_factory=list)
    relationships: list[RelationshipRecord] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    lines_read: int = 0
    unsupported: Counter = field(default_factory=Counter)
    unsupported_entities: list[dict] = field(default_factory=list)
    dropped_values: list[dict] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "format": "ftm",
            "entities_read": self.lines_read,
            "actors": len(self.actors),
            "relationships": len(self.relationships),
            "unsupported_schemata": dict(sorted(self.unsupported.items())),
            "unsupported_entities": self.unsupported_entities[:500],
            "dropped_values": self.dropped_values[:500],
        }
