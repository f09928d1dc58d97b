from datetime import timedelta

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from portal.models import AuditEvent
from portal.models.audit import AuditError
from portal.services.audit import audit_purge_expired, audit_record


def test_a_record_names_who_what_and_from_where(people):
    event = audit_record(actor=people["clerk"], action="test.action", obj=people["applicant_a"],
                         after={"x": 1}, ip_address="10.0.0.8")
    assert (event.actor, event.actor_label, event.object_type, event.ip_address) == (
        people["clerk"], "clerk", "portal.user", "10.0.0.8")


def test_the_model_refuses_updates_and_deletes(people):
    event = audit_record(actor=people["clerk"], action="test.action")
    event.action = "changed"
    with pytest.raises(AuditError):
        event.save()
    with pytest.raises(AuditError):
        event.delete()
    with pytest.raises(AuditError):
        AuditEvent.objects.all().update(action="changed")
    with pytest.raises(AuditError):
        AuditEvent.objects.all().delete()


@pytest.mark.embedded  # SQLite's half of it runs only there: again in .ci/run's SQLite pass
def test_the_database_refuses_updates_and_on_postgresql_recent_deletes(people):
    event = audit_record(actor=people["clerk"], action="test.action")
    table = AuditEvent._meta.db_table
    statements = [f"UPDATE {table} SET action = 'x' WHERE id = %s"]  # noqa: S608
    if connection.vendor == "postgresql":
        statements.append(f"DELETE FROM {table} WHERE id = %s")  # noqa: S608
    for sql in statements:
        with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, action="test.action").exists()


def test_purge_removes_only_rows_past_retention(people):
    before = set(AuditEvent.objects.values_list("pk", flat=True))  # the test database's (the calendar's seeding)
    recent = audit_record(actor=people["clerk"], action="recent")
    table = AuditEvent._meta.db_table
    old_at = timezone.now() - timedelta(days=200)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (at, actor_label, action, object_type, object_id, object_label, before, after,"  # noqa: S608
            " result) VALUES (%s, 'system', 'old', '', '', '', '{}', '{}', 'success')",
            [old_at],
        )
    assert audit_purge_expired() == 1
    assert set(AuditEvent.objects.values_list("pk", flat=True)) == before | {recent.pk}
