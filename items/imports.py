"""Catalogue imports as background jobs: the upload is stored, a task checks and writes it, the page polls.

Progress travels through the cache (shared by web and worker processes): the import's own transaction
holds its rows until it commits, so the database cannot show how far it has got.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from items import spreadsheet
from items.models import CatalogueImport
from portal import outbox
from portal.fsm import transition
from portal.services.audit import audit_record

PROGRESS_TTL_SECONDS = 3600
logger = logging.getLogger(__name__)


def _progress_key(job_id: Any) -> str:
    return f"catalogue-import:{job_id}"


def import_progress(job: CatalogueImport) -> dict[str, Any]:
    """What the page shows while the job runs: the phase and, when writing, how many items are done."""
    return cache.get(_progress_key(job.pk)) or {"phase": job.status, "done": 0, "total": 0}


def _report(job_id: Any, phase: str, done: int = 0, total: int = 0) -> None:
    cache.set(_progress_key(job_id), {"phase": phase, "done": done, "total": total}, PROGRESS_TTL_SECONDS)


@transaction.atomic
def import_start(*, actor: Any, upload: UploadedFile, dry_run: bool) -> CatalogueImport:
    """Store the workbook and queue its import; the job page follows it."""
    job = CatalogueImport.objects.create(actor=actor, file=upload, dry_run=dry_run)
    audit_record(actor=actor, action="catalogue.import_queued", obj=job, after={"dry_run": dry_run})
    outbox.enqueue("items.run_catalogue_import", job_id=str(job.pk))
    return job


def import_run(*, job_id: Any) -> CatalogueImport:
    """Check every row, then (unless only checking) write it all in one transaction. Safe to call twice."""
    job = CatalogueImport.objects.get(pk=job_id)
    if job.status != CatalogueImport.Status.QUEUED:
        return job
    job = transition(job, "start", actor=None, action="catalogue.import_start")
    _report(job.pk, "checking")
    try:
        with job.file.open("rb") as f:
            parsed = spreadsheet.parse_workbook(f.read())
        if job.dry_run:
            summary = parsed.summary()
        else:
            summary = spreadsheet.catalogue_import(
                actor=job.actor, parsed=parsed, progress=lambda done, total: _report(job.pk, "writing", done, total))
    except spreadsheet.CatalogueImportError as exc:
        if not job.dry_run:
            spreadsheet.catalogue_import_refused(actor=job.actor, errors=exc.errors)
        job = transition(job, "fail", actor=None, action="catalogue.import_fail",
                         errors=[asdict(e) for e in exc.errors])
    except Exception:  # a bug, not the workbook: the job must still end, so the page stops waiting
        logger.exception("catalogue import %s failed", job.pk)
        job = transition(job, "fail", actor=None, action="catalogue.import_fail", errors=[asdict(
            spreadsheet.RowError("", 0, "", "", _("导入时发生内部错误，未写入任何内容。请联系系统管理员。")))])
    else:
        job = transition(job, "succeed", actor=None, action="catalogue.import_done", summary=summary.as_dict())
    cache.delete(_progress_key(job.pk))
    return job
