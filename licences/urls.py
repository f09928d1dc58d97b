"""Licence pages under /licences/ (the holder's own licences are under the applications app's pages)."""

from django.urls import URLPattern, path

from licences.views import desk, editor, verify

urlpatterns: list[URLPattern] = [
    # Public verification: the QR code's page, and the form by number and holder code.
    path("verify/", verify.verify, name="licence_verify"),
    path("verify/l/<str:token>/", verify.verify_token, name="licence_verify_token"),
    # The staff desk.
    path("desk/", desk.desk, name="licence_desk"),
    path("desk/<int:pk>/", desk.desk_detail, name="licence_desk_detail"),
    path("desk/<int:pk>/progress/", desk.desk_progress, name="licence_desk_progress"),
    path("desk/<int:pk>/pdf/", desk.desk_pdf, name="licence_desk_pdf"),
    path("desk/<int:pk>/pickup/", desk.desk_pickup, name="licence_desk_pickup"),
    path("desk/<int:pk>/dispatch/", desk.desk_dispatch, name="licence_desk_dispatch"),
    path("desk/<int:pk>/end/", desk.desk_end, name="licence_desk_end"),
    path("cases/<str:number>/", desk.case_licences, name="licence_case_licences"),
    # The catalogue administrator's template editor.
    path("templates/", editor.templates, name="licence_templates"),
    path("templates/<int:item_pk>/", editor.template_edit, name="licence_template_edit"),
    path("templates/<int:item_pk>/preview.pdf", editor.template_preview, name="licence_template_preview"),
]
