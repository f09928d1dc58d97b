"""Review (审批): cases, department tasks in stages, opinions, pauses, extensions, inspections, A/B posts."""

from approvals.models.cases import (
    CONSENTING,
    ENDED_TASK_STATUSES,
    OPEN_TASK_STATUSES,
    Backup,
    Case,
    CaseStatus,
    DecisionMode,
    Extension,
    Inspection,
    Opinion,
    OpinionAttachment,
    Pause,
    ReviewTask,
    Stage,
    TaskStatus,
)

__all__ = [
    "CONSENTING",
    "ENDED_TASK_STATUSES",
    "OPEN_TASK_STATUSES",
    "Backup",
    "Case",
    "CaseStatus",
    "DecisionMode",
    "Extension",
    "Inspection",
    "Opinion",
    "OpinionAttachment",
    "Pause",
    "ReviewTask",
    "Stage",
    "TaskStatus",
]
