from django.urls import include, path

urlpatterns = [
    path("catalogue/", include("items.spreadsheet_urls")),
]
