"""Domain signals of review. `case_approved` is sent by the outbox task `approvals.case_approved` after the
decision commits (a crash cannot lose it; receivers must be idempotent); kwargs: case. The licence issue
connects to it (in the approvals app, which may import licences; licences may not import approvals)."""

from django.dispatch import Signal

case_approved = Signal()
