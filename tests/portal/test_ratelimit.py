from django.urls import reverse


def test_public_posts_beyond_the_limit_get_a_429_page_and_do_nothing(client, settings, db, work_calendar):
    from applications.models import Ticket

    settings.PUBLIC_POST_LIMITS = {**settings.PUBLIC_POST_LIMITS, "kiosk": (3, 60), "track": (2, 60)}
    for _i in range(3):
        assert client.post(reverse("queue_kiosk"), {"kind": "ordinary"}).status_code in (200, 302)
    refused = client.post(reverse("queue_kiosk"), {"kind": "ordinary"})
    assert refused.status_code == 429 and "操作过于频繁" in refused.content.decode()
    assert Ticket.objects.count() == 3
    assert client.get(reverse("queue_kiosk")).status_code == 200  # reading is never limited
    for _i in range(2):
        client.post(reverse("application_track"), {"number": "1", "query_code": "X"})
    assert client.post(reverse("application_track"), {"number": "1", "query_code": "X"}).status_code == 429
    # Another address is counted on its own.
    assert client.post(reverse("application_track"), {"number": "1", "query_code": "X"},
                       REMOTE_ADDR="10.0.0.9").status_code == 200
