"""The permission matrix of the review API: every role against every endpoint, with a case of department X
alone (reviewer_y takes no part: 404) and a joint case of X and Y (reviewer_y reads X's task, acts on none)."""

from django.utils import timezone
from rest_framework.test import APIClient

from approvals.models import CaseStatus, Extension, Pause, TaskStatus
from approvals.services.procedures import extension_request, inspection_schedule, pause_start
from approvals.services.tasks import task_approve, task_claim
from tests.applications.conftest import pdf_file
from tests.approvals.conftest import accepted_case, publish
from tests.matrix import Row, check_matrix, only

STAFF = only("reviewer_x", "reviewer_y", "head_x")
X_STAFF = only("reviewer_x", "head_x")
X_READERS = only("reviewer_x", "head_x", "supervisor")
READERS = only("reviewer_x", "reviewer_y", "head_x", "supervisor")
BAD_INPUT = frozenset({400})
# A step the state no longer allows is a conflict: allowed to try, refused by the state, never by the role.
DONE_OR_CONFLICT = frozenset({200, 409})


def json_client():
    client = APIClient()
    client.default_format = "json"
    return client


def task(suffix="", key="task"):
    return lambda p: f"/api/v1/tasks/{p[key].pk}/{suffix}"


# In the order check_matrix runs them for each role. Writes by the allowed roles are bad input (400) or a
# step the state refuses (409), except ending the pause and releasing the task, which come last.
ROWS = [
    Row("get", "/api/v1/tasks/", STAFF),
    Row("get", "/api/v1/tasks/?state=all&overdue=true", STAFF),
    Row("get", task(), X_READERS),
    Row("get", task(key="joint_task"), READERS),
    Row("get", "/api/v1/cases/", READERS),
    Row("get", "/api/v1/cases/?status=deciding", READERS),
    Row("get", lambda p: f"/api/v1/cases/{p['task'].case_id}/", X_READERS),
    Row("get", lambda p: f"/api/v1/cases/{p['joint_task'].case_id}/", READERS),
    Row("get", lambda p: f"/api/v1/cases/{p['task'].case_id}/documents/{p['document'].pk}/", X_READERS),
    Row("get", lambda p: f"/api/v1/attachments/{p['attachment'].pk}/", X_READERS),
    Row("get", "/api/v1/extensions/", only("head_x")),
    Row("get", "/api/v1/backups/", STAFF),
    Row("post", task("claim/"), X_STAFF, ok=DONE_OR_CONFLICT),
    Row("post", task("claim/", "joint_task"), X_STAFF, ok=DONE_OR_CONFLICT),
    Row("post", task("approve/"), X_STAFF, ok=BAD_INPUT),
    Row("post", task("reject/"), X_STAFF, ok=BAD_INPUT),
    Row("post", task("return/"), X_STAFF, data={"problems": []}, ok=BAD_INPUT),
    Row("post", task("reassign/"), only("head_x"), ok=BAD_INPUT),
    Row("post", task("pauses/"), X_STAFF, ok=BAD_INPUT),
    Row("post", task("extension/"), X_STAFF, ok=BAD_INPUT),
    Row("post", task("inspections/"), X_STAFF, ok=BAD_INPUT),
    Row("post", lambda p: f"/api/v1/inspections/{p['inspection'].pk}/record/", X_STAFF, ok=BAD_INPUT),
    Row("post", lambda p: f"/api/v1/extensions/{p['extension'].pk}/decision/", only("head_x"), ok=BAD_INPUT),
    Row("post", lambda p: f"/api/v1/cases/{p['task'].case_id}/decision/", X_STAFF, ok=BAD_INPUT),
    Row("put", "/api/v1/backups/", STAFF, ok=BAD_INPUT),
    Row("post", lambda p: f"/api/v1/pauses/{p['pause'].pk}/end/", X_STAFF, ok=DONE_OR_CONFLICT),
    Row("post", task("release/"), X_STAFF, ok=DONE_OR_CONFLICT),
]


def test_every_role_against_every_review_endpoint(people, dept_x, joint_version, person_a, work_calendar):
    version = publish(people, dept_x, code="REV-M-001")
    case = accepted_case(people, person_a, version)
    claimed = task_claim(actor=people["reviewer_x"], task=case.tasks.get())
    pause = pause_start(actor=people["reviewer_x"], task=claimed, kind=Pause.Kind.TESTING, reason="送检",
                        expected_days=5)
    extension = extension_request(actor=people["reviewer_x"], task=claimed, reasons="需现场核查")
    inspection = inspection_schedule(actor=people["reviewer_x"], task=claimed, scheduled_on=timezone.localdate(),
                                     place="人民路1号", departments=[])
    decided = accepted_case(people, person_a, version)
    other = task_claim(actor=people["reviewer_x"], task=decided.tasks.get())
    task_approve(actor=people["reviewer_x"], task=other, text="同意", files=[pdf_file()])
    joint = accepted_case(people, person_a, joint_version)
    objects = {**people, "task": claimed, "joint_task": joint.tasks.get(department=dept_x), "pause": pause,
               "extension": extension, "inspection": inspection,
               "document": case.application.materials.get(name="食品经营许可申请书").documents.get(),
               "attachment": other.opinions.get().attachments.get()}

    assert check_matrix(json_client, objects, ROWS) == []

    claimed.refresh_from_db()
    case.refresh_from_db()
    extension.refresh_from_db()
    inspection.refresh_from_db()
    assert case.status == CaseStatus.REVIEWING and claimed.status in (TaskStatus.PENDING, TaskStatus.IN_REVIEW)
    assert not claimed.opinions.exists() and claimed.pauses.count() == 1 and case.extensions.count() == 1
    assert extension.status == Extension.Status.REQUESTED and inspection.record == ""
    assert joint.tasks.get(department__code="Y").status == TaskStatus.PENDING
