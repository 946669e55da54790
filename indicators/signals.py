"""Signals other parts of the system listen to, so the indicators app never imports them.

Each is sent after the surrounding transaction commits (services use transaction.on_commit), so a receiver
that enqueues a Celery task never races the data it reads.
"""

from django.dispatch import Signal

# sender=Assessment, assessment=<Assessment>: one assessment recorded by an analyst or an administrator.
assessment_recorded = Signal()

# sender=DatasetImport, dataset_import=<DatasetImport>, country_ids=<list[int]>: an import created assessments.
assessments_imported = Signal()

# sender=ScoreRun, run=<ScoreRun>: a score run finished (run.status says whether it succeeded).
score_run_finished = Signal()
