"""The licence API under /api/v1/licences/. Explicit paths, so that other apps' licence paths (the holder's
renewal, `licences/<id>/renew/` in applications.api_urls) fall through to them."""

from django.urls import URLPattern, path

from licences import api

urlpatterns: list[URLPattern] = [
    path("licences/", api.LicenceListView.as_view(), name="api-licences"),
    path("licences/verify/", api.VerifyView.as_view(), name="api-licence-verify"),
    path("licences/verify/upload/", api.VerifyUploadView.as_view(), name="api-licence-verify-upload"),
    path("licences/templates/", api.TemplateListView.as_view(), name="api-licence-templates"),
    path("licences/templates/<int:item_id>/", api.TemplateView.as_view(), name="api-licence-template"),
    path("licences/<int:pk>/", api.LicenceDetailView.as_view(), name="api-licence"),
    path("licences/<int:pk>/pdf/", api.LicencePdfView.as_view(), name="api-licence-pdf"),
    path("licences/<int:pk>/delivery/", api.DeliveryView.as_view(), name="api-licence-delivery"),
    path("licences/<int:pk>/pickup/", api.PickupView.as_view(), name="api-licence-pickup"),
    path("licences/<int:pk>/dispatch/", api.DispatchView.as_view(), name="api-licence-dispatch"),
    path("licences/<int:pk>/revoke/", api.RevokeView.as_view(), name="api-licence-revoke"),
    path("licences/<int:pk>/cancel/", api.CancelView.as_view(), name="api-licence-cancel"),
]
