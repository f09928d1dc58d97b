"""With 3,000 published items, pages and API answer in the same number of queries as with a handful."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from items.demo import pad_catalogue
from items.models import Item


def _count(client, url):
    client.get(url)  # warm per-process caches (the search index)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


URLS = ["/", "/items/", "/items/?q=csxs", "/items/?q=测试事项12", "/items/?department=X",
        "/api/v1/items/", "/api/v1/items/?search=csxs", "/items/BULK-00001/", "/api/v1/items/BULK-00001/"]


@pytest.mark.parametrize("url", URLS)
def test_constant_queries_from_10_to_3000_items(client, dept_x, url):
    pad_catalogue(department=dept_x, count=10)
    few = _count(client, url)
    pad_catalogue(department=dept_x, count=2990, start=10)
    assert Item.objects.filter(published__isnull=False).count() == 3000
    assert _count(client, url) == few
