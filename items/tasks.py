from items.imports import import_run
from portal.outbox import outbox_task


@outbox_task("items.run_catalogue_import")
def run_catalogue_import(*, job_id: str) -> None:
    import_run(job_id=job_id)
