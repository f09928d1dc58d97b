"""Import and export of the catalogue as an .xlsx workbook (catalogue administrators)."""

urlpatterns: list = []
