"""Signals other parts of the system listen to, so the indicators app never imports them.

assessment_recorded is sent inside the transaction that writes the assessment, so a receiver's own writes (the
audit trail, outbox rows) commit with it or not at all, and so is demonstration_retired; the others are sent after
commit. A receiver that wants a Celery task writes an outbox row (core.services.outbox_enqueue): the task is sent
after commit, never races the data it reads, and a broker outage only delays it.
"""

from django.dispatch import Signal

# sender=Assessment, assessment=<Assessment>: one assessment recorded by an analyst or an administrator.
assessment_recorded = Signal()

# sender=DatasetImport, dataset_import=<DatasetImport>, country_ids=<list[int]>: an import created assessments.
assessments_imported = Signal()

# sender=ScoreRun, run=<ScoreRun>: a score run finished (run.status says whether it succeeded).
score_run_finished = Signal()

# sender=None, stdout=<writer or None>, real_data=<bool>: seed_demo finished its own data; higher apps add their
# demo data, and add none when real data is present (demonstration data never mixes with real data).
demo_seeded = Signal()

# sender=DatasetImport, dataset_import=<the first real import>, demonstration_imports=<list[DatasetImport]>,
# country_ids=<list[int]> (the countries the demo assessed): sent inside that import's transaction; higher apps retire
# there what they built on demonstration data (the demo's actor network, alerts raised on invented scores).
demonstration_retired = Signal()
