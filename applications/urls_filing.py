"""The applicant's pages: online filing, my applications, downloads, and public tracking."""

from django.urls import path

from applications import views_filing as views

urlpatterns = [
    path("apply/item/<str:code>/", views.application_start_item, name="application_start_item"),
    path("apply/bundle/<int:pk>/", views.application_start_bundle, name="application_start_bundle"),
    path("applications/", views.my_applications, name="my_applications"),
    path("applications/recent/", views.my_applications_recent, name="my_applications_recent"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/submit/", views.application_submit, name="application_submit"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("applications/<int:pk>/supply/", views.application_supply, name="application_supply"),
    path("applications/<int:pk>/notices/", views.application_notices_partial, name="application_notices_partial"),
    path("applications/<int:pk>/notices/<int:nid>/pdf/", views.notice_pdf, name="notice_pdf"),
    path("applications/<int:pk>/materials/<int:mid>/upload/", views.material_upload,
         name="application_material_upload"),
    path("applications/<int:pk>/materials/<int:mid>/reuse/", views.material_reuse, name="application_material_reuse"),
    path("applications/<int:pk>/materials/<int:mid>/commit/", views.material_commit,
         name="application_material_commit"),
    path("applications/<int:pk>/materials/<int:mid>/documents/<uuid:doc>/remove/", views.material_remove,
         name="application_material_remove"),
    path("documents/<uuid:pk>/", views.document_download, name="document_download"),
    path("track/", views.application_track, name="application_track"),
    path("t/<str:token>/", views.application_track_token, name="application_track_token"),
    path("account/enterprise/", views.enterprise_staff, name="enterprise_staff"),
]
