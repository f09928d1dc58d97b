"""The clerk's one-window desk (综合窗口) and the administrator's credit page (included at the site root).

`workspace/admin/credit/` is more specific than portal's `workspace/<slug:slug>/`, whose slug cannot contain
a slash, so the order in which the two URL confs are included does not matter.
"""

from django.urls import path

from applications import views_desk as views

urlpatterns = [
    path("desk/", views.desk_queue, name="desk_queue"),
    path("desk/count/", views.desk_queue_count, name="desk_queue_count"),
    path("desk/applicants/", views.desk_applicants, name="desk_applicants"),
    path("desk/intake/new/", views.desk_intake_new, name="desk_intake_new"),
    path("desk/applications/<int:pk>/", views.desk_application, name="desk_application"),
    path("desk/applications/<int:pk>/save-form/", views.desk_save_form, name="desk_save_form"),
    path("desk/applications/<int:pk>/upload/<int:mid>/", views.desk_upload, name="desk_upload"),
    path("desk/applications/<int:pk>/reuse/<int:mid>/", views.desk_reuse, name="desk_reuse"),
    path("desk/applications/<int:pk>/commit/<int:mid>/", views.desk_commit, name="desk_commit"),
    path("desk/applications/<int:pk>/submit/", views.desk_submit, name="desk_submit"),
    path("desk/applications/<int:pk>/accept/", views.desk_accept, name="desk_accept"),
    path("desk/applications/<int:pk>/supplement/", views.desk_supplement, name="desk_supplement"),
    path("desk/applications/<int:pk>/refuse/", views.desk_refuse, name="desk_refuse"),
    path("desk/applications/<int:pk>/rongque/", views.desk_rongque, name="desk_rongque"),
    path("desk/applications/<int:pk>/interview/", views.desk_interview, name="desk_interview"),
    path("desk/applications/<int:pk>/proxy/", views.desk_proxy, name="desk_proxy"),
    path("workspace/admin/credit/", views.credit_admin, name="credit_admin"),
    path("workspace/admin/credit/template.xlsx", views.credit_template, name="credit_template"),
]
