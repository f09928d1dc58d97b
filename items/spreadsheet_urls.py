"""Import and export of the catalogue as an .xlsx workbook (catalogue administrators)."""

from django.urls import path

from items import views_spreadsheet

urlpatterns = [
    path("export.xlsx", views_spreadsheet.catalogue_export, name="catalogue_export"),
    path("template.xlsx", views_spreadsheet.catalogue_template, name="catalogue_template"),
    path("import/", views_spreadsheet.catalogue_import, name="catalogue_import"),
    path("import/<uuid:pk>/", views_spreadsheet.catalogue_import_job, name="catalogue_import_job"),
]
