"""The catalogue's API under /api/v1/ (items, versions, bundles)."""

urlpatterns: list = []
