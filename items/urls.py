from django.urls import include, path

from items import views, views_admin

urlpatterns = [
    path("items/", views.catalogue, name="catalogue"),
    path("items/<str:code>/", views.guide, name="item_guide"),
    path("items/<str:code>/qr.svg", views.guide_qr, name="item_qr"),
    path("files/<path:name>", views.catalogue_file, name="catalogue_file"),
    path("bundles/", views.bundles, name="bundles"),
    path("bundles/<int:pk>/", views.bundle_guide, name="bundle_guide"),
    path("catalogue/items/", views_admin.item_list, name="catalogue_items"),
    path("catalogue/items/new/", views_admin.item_new, name="catalogue_item_new"),
    path("catalogue/items/<int:pk>/", views_admin.item_history, name="catalogue_history"),
    path("catalogue/items/<int:pk>/draft/", views_admin.item_new_draft, name="catalogue_new_draft"),
    path("catalogue/versions/<int:pk>/", views_admin.version_edit, name="catalogue_version"),
    path("catalogue/versions/<int:pk>/form/", views_admin.version_form_preview, name="catalogue_form_preview"),
    path("catalogue/versions/<int:pk>/review/", views_admin.version_review, name="catalogue_review"),
    path("catalogue/versions/<int:pk>/retire/", views_admin.version_retire, name="catalogue_retire"),
    path("catalogue/bundles/", views_admin.bundle_list, name="catalogue_bundles"),
    path("catalogue/bundles/new/", views_admin.bundle_edit, name="catalogue_bundle_new"),
    path("catalogue/bundles/<int:pk>/", views_admin.bundle_edit, name="catalogue_bundle_edit"),
    path("catalogue/coverage/", views_admin.coverage_page, name="catalogue_coverage"),
    path("catalogue/", include("items.spreadsheet_urls")),
]
