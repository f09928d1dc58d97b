"""The catalogue API's list and search in a catalogue of only the items a test publishes (no demo catalogue):
the same number of queries for 5 or 60 items."""

from items.models import Topic
from tests.items.test_api import _queries, publish


def test_the_list_and_search_take_the_same_queries_for_5_or_60_items(client, people, second_admin, dept_x):
    topics = [Topic.objects.create(name=f"主题{n}") for n in range(3)]

    def add(start, stop):
        for n in range(start, stop):
            publish(code=f"Q-{n:03d}", name=f"查询计数事项{n}", editor=people["catalogue_admin"],
                    reviewer=second_admin, department=dept_x, topics=topics[: n % 3 + 1])

    browse, search = {"page_size": 100}, {"search": "查询计数", "limit": 100}
    add(0, 5)
    small = _queries(client, browse), _queries(client, search), _queries(client, {**search, "topic": "主题2"})
    add(5, 60)
    large = _queries(client, browse), _queries(client, search), _queries(client, {**search, "topic": "主题2"})
    assert [n for n, _rows in small] == [n for n, _rows in large]
    assert [rows for _n, rows in small] == [5, 5, 1] and [rows for _n, rows in large] == [60, 60, 20]
    assert small[0][0] == 2  # the page, its topics
