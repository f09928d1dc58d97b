"""The review API under /api/v1/: tasks, cases, pauses, extensions, inspections, attachments, A/B posts."""

from django.urls import URLPattern, path

from approvals import api

urlpatterns: list[URLPattern] = [
    path("tasks/", api.TaskListView.as_view(), name="api-tasks"),
    path("tasks/<int:pk>/", api.TaskDetailView.as_view(), name="api-task"),
    path("tasks/<int:pk>/claim/", api.ClaimView.as_view(), name="api-task-claim"),
    path("tasks/<int:pk>/release/", api.ReleaseView.as_view(), name="api-task-release"),
    path("tasks/<int:pk>/approve/", api.ApproveView.as_view(), name="api-task-approve"),
    path("tasks/<int:pk>/reject/", api.RejectView.as_view(), name="api-task-reject"),
    path("tasks/<int:pk>/return/", api.ReturnView.as_view(), name="api-task-return"),
    path("tasks/<int:pk>/reassign/", api.ReassignView.as_view(), name="api-task-reassign"),
    path("tasks/<int:pk>/pauses/", api.PauseStartView.as_view(), name="api-task-pauses"),
    path("tasks/<int:pk>/extension/", api.ExtensionRequestView.as_view(), name="api-task-extension"),
    path("tasks/<int:pk>/inspections/", api.InspectionScheduleView.as_view(), name="api-task-inspections"),
    path("pauses/<int:pk>/end/", api.PauseEndView.as_view(), name="api-pause-end"),
    path("inspections/<int:pk>/record/", api.InspectionRecordView.as_view(), name="api-inspection-record"),
    path("cases/", api.CaseListView.as_view(), name="api-cases"),
    path("cases/<int:pk>/", api.CaseDetailView.as_view(), name="api-case"),
    path("cases/<int:pk>/decision/", api.CaseDecisionView.as_view(), name="api-case-decision"),
    path("cases/<int:pk>/documents/<uuid:doc>/", api.CaseDocumentView.as_view(), name="api-case-document"),
    path("attachments/<int:pk>/", api.AttachmentView.as_view(), name="api-attachment"),
    path("extensions/", api.ExtensionListView.as_view(), name="api-extensions"),
    path("extensions/<int:pk>/decision/", api.ExtensionDecisionView.as_view(), name="api-extension-decision"),
    path("backups/", api.BackupsView.as_view(), name="api-backups"),
]
