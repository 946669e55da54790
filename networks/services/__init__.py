"""Every write to the actor network: recording actors and relationships (a new version each time), importing
FollowTheMoney files, linking actors to escalations and sanctions actions, and running the analysis.

Split by concept (issue 18); every public name stays importable from networks.services."""

from networks.services.analysis_runs import (
    analysis_run_execute,
    analysis_run_request,
    logger,
)
from networks.services.common import (
    ACTOR_FIELDS,
    BATCH_SIZE,
    FTM_MAPPING_VERSION,
    FTM_SOURCE,
    MAX_STORED_ERRORS,
    RELATIONSHIP_FIELDS,
    UPLOAD_DIR_NAME,
    Progress,
)
from networks.services.import_write import (
    FtmOutcome,
)
from networks.services.imports import (
    FtmImportRefused,
    ftm_import_apply,
    ftm_import_enqueue,
    ftm_import_execute,
    ftm_import_permission_check,
    ftm_import_run,
    ftm_import_source_run,
)
from networks.services.links import (
    escalation_actor_link,
    escalation_actor_unlink,
    sanction_target_add,
    sanction_target_remove,
)
from networks.services.records import (
    actor_record,
    relationship_record,
)

__all__ = [
    "logger",
    "FTM_SOURCE",
    "FTM_MAPPING_VERSION",
    "MAX_STORED_ERRORS",
    "BATCH_SIZE",
    "UPLOAD_DIR_NAME",
    "Progress",
    "ACTOR_FIELDS",
    "RELATIONSHIP_FIELDS",
    "actor_record",
    "relationship_record",
    "ftm_import_permission_check",
    "ftm_import_run",
    "ftm_import_enqueue",
    "ftm_import_execute",
    "FtmImportRefused",
    "FtmOutcome",
    "ftm_import_apply",
    "escalation_actor_link",
    "escalation_actor_unlink",
    "sanction_target_add",
    "sanction_target_remove",
    "analysis_run_request",
    "analysis_run_execute",
    "ftm_import_source_run",
]
