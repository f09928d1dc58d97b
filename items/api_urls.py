"""The catalogue's API under /api/v1/ (items, versions, bundles)."""

from django.urls import path

from items import api

urlpatterns = [
    path("items/", api.ItemListView.as_view(), name="api-items"),
    path("items/<str:implementation_code>/", api.ItemDetailView.as_view(), name="api-item"),
    path("items/<str:implementation_code>/versions/", api.ItemVersionsView.as_view(), name="api-item-versions"),
    path("items/<str:implementation_code>/drafts/", api.ItemDraftsView.as_view(), name="api-item-drafts"),
    path("versions/<int:pk>/", api.VersionView.as_view(), name="api-version"),
    path("versions/<int:pk>/submit/", api.VersionSubmitView.as_view(), name="api-version-submit"),
    path("versions/<int:pk>/approve/", api.VersionApproveView.as_view(), name="api-version-approve"),
    path("versions/<int:pk>/send-back/", api.VersionSendBackView.as_view(), name="api-version-send-back"),
    path("versions/<int:pk>/retire/", api.VersionRetireView.as_view(), name="api-version-retire"),
    path("bundles/", api.BundleListView.as_view(), name="api-bundles"),
    path("bundles/<int:pk>/", api.BundleDetailView.as_view(), name="api-bundle"),
]
