"""With 3,000 published items, pages and API answer in the same number of queries as with a handful."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from items.demo import pad_catalogue
from items.models import Item
from tests.conftest import built_once
from tests.factories import DepartmentFactory


def _count(client, url):
    client.get(url)  # warm per-process caches (the search index)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


URLS = ["/", "/items/", "/items/?q=csxs", "/items/?q=测试事项12", "/items/?department=X",
        "/api/v1/items/", "/api/v1/items/?search=csxs", "/items/BULK-00001/", "/api/v1/items/BULK-00001/"]


@pytest.fixture(scope="module")
def queries_with_10_items(django_db_blocker):
    """Each URL's query count with 10 published items; the catalogue is then padded to 3,000 for the tests
    (built once for the module, through the services, and rolled back after it)."""

    def build():
        department = DepartmentFactory(code="X", name="部门X")
        pad_catalogue(department=department, count=10)
        client = Client()
        few = {url: _count(client, url) for url in URLS}
        pad_catalogue(department=department, count=2990, start=10)
        return few

    yield from built_once(django_db_blocker, build)


@pytest.mark.parametrize("url", URLS)
def test_constant_queries_from_10_to_3000_items(db, client, queries_with_10_items, url):
    assert Item.objects.filter(published__isnull=False).count() == 3000
    assert _count(client, url) == queries_with_10_items[url]
