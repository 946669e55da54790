"""FollowTheMoney (FtM) JSON lines in and out: a pure core with no ORM.

Reading turns each line into an actor or relationship record, or a located error, and counts every entity whose
schema we do not model (never silently dropped). Writing turns stored actors and relationships back into FtM
entities. Our own metadata (kind, countries, confidence, sources, validity) travels beside the FtM properties in
an extra top-level key, "atrocity_watch", which FtM readers (Aleph, OpenSanctions tools) ignore.

The mapping from our relationship types to FtM schemata (source -> target):

- command: Directorship (director -> organization) whose role starts with "command": a commander (Person) over a
  unit, or a parent unit (Organization) over a sub-unit; dates in startDate/endDate.
- directorship: Directorship with any other role. membership: Membership (member -> organization).
- employment: Employment (employee -> employer). ownership: Ownership (owner -> asset; the asset is a Company,
  Vessel or Airplane). payment: Payment (payer -> beneficiary; amount, currency, purpose).
- supply: a Contract whose authority is the buyer, and a ContractAward naming the Contract and the supplier
  (supplier -> buyer); both entities travel together in exports.
- family: Family (person -> relative); associate: Associate (person -> associate); unknown_link: UnknownLink
  (subject -> object).
- sanction: Sanction (entity; no target) with authority, program, the designating authority's country and its
  start or listing date. Sanctions mark actors; they are not edges of the graph.
"""

from networks.ftm.reading import (
    parse_ftm_lines,
)
from networks.ftm.records import (
    ACTOR_SCHEMATA,
    BLOCK,
    COMMAND_ROLE_PREFIX,
    CONFIDENCES,
    COUNTRY_PROPERTIES,
    EDGE_SCHEMATA,
    KIND_EDGE_SCHEMA,
    KIND_SCHEMA,
    LABEL_PROPERTIES,
    ActorRecord,
    FtmParse,
    LineError,
    Provenance,
    RelationshipRecord,
)
from networks.ftm.values import (
    clean_properties,
    endpoint_error,
    ftm_country_to_iso3,
    iso3_to_ftm_country,
    parse_ftm_date,
    relationship_label,
)
from networks.ftm.writing import (
    LABEL_PROPERTY,
    actor_entity,
    actor_properties,
    contract_for_supply,
    relationship_entities,
    relationship_properties,
)

__all__ = [
    "BLOCK",
    "COMMAND_ROLE_PREFIX",
    "CONFIDENCES",
    "KIND_SCHEMA",
    "ACTOR_SCHEMATA",
    "EDGE_SCHEMATA",
    "KIND_EDGE_SCHEMA",
    "COUNTRY_PROPERTIES",
    "LABEL_PROPERTIES",
    "LineError",
    "Provenance",
    "ActorRecord",
    "RelationshipRecord",
    "FtmParse",
    "iso3_to_ftm_country",
    "ftm_country_to_iso3",
    "parse_ftm_date",
    "relationship_label",
    "parse_ftm_lines",
    "endpoint_error",
    "clean_properties",
    "actor_entity",
    "relationship_entities",
    "relationship_properties",
    "LABEL_PROPERTY",
    "contract_for_supply",
    "actor_properties",
]
