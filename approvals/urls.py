"""Review pages under /review/: the department inbox, tasks, cases, extensions and A/B posts."""

from django.urls import URLPattern, path

from approvals.views import cases, inbox, tasks, team

urlpatterns: list[URLPattern] = [
    path("", inbox.review_inbox, name="review_inbox"),
    # A task and the actions on it (each its own POST).
    path("tasks/<int:pk>/", tasks.review_task, name="review_task"),
    path("tasks/<int:pk>/claim/", tasks.review_task_claim, name="review_task_claim"),
    path("tasks/<int:pk>/release/", tasks.review_task_release, name="review_task_release"),
    path("tasks/<int:pk>/approve/", tasks.review_task_approve, name="review_task_approve"),
    path("tasks/<int:pk>/reject/", tasks.review_task_reject, name="review_task_reject"),
    path("tasks/<int:pk>/return/", tasks.review_task_return, name="review_task_return"),
    path("tasks/<int:pk>/pause/", tasks.review_task_pause, name="review_task_pause"),
    path("tasks/<int:pk>/pauses/<int:pause_pk>/end/", tasks.review_pause_end, name="review_pause_end"),
    path("tasks/<int:pk>/extension/", tasks.review_task_extension, name="review_task_extension"),
    path("tasks/<int:pk>/inspections/", tasks.review_task_inspection, name="review_task_inspection"),
    path("tasks/<int:pk>/inspections/<int:inspection_pk>/record/", tasks.review_task_inspection_record,
         name="review_task_inspection_record"),
    path("tasks/<int:pk>/reassign/", tasks.review_task_reassign, name="review_task_reassign"),
    path("attachments/<int:pk>/", tasks.review_attachment, name="review_attachment"),
    # A case and its decision.
    path("cases/<int:pk>/", cases.review_case, name="review_case"),
    path("cases/<int:pk>/decide/", cases.review_case_decide, name="review_case_decide"),
    path("cases/<int:pk>/documents/<uuid:document>/", tasks.review_case_document, name="review_case_document"),
    path("cases/<int:pk>/inspections/<int:inspection_pk>/record/", cases.review_case_inspection_record,
         name="review_case_inspection_record"),
    path("applications/<int:application_pk>/decide/", cases.review_application_decide,
         name="review_application_decide"),
    # The head's pages.
    path("extensions/", team.review_extensions, name="review_extensions"),
    path("extensions/<int:pk>/decide/", team.review_extension_decide, name="review_extension_decide"),
    path("team/", team.review_team, name="review_team"),
    path("team/<int:pk>/backup/", team.review_team_backup, name="review_team_backup"),
    path("team/<int:pk>/absent/", team.review_team_absent, name="review_team_absent"),
]
