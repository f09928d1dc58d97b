from django.test import Client

from items.models import VersionStatus
from items.services import item_create
from tests.matrix import MATRIX, check_matrix


def test_every_role_against_every_page_and_endpoint(people, dept_x, work_calendar):
    draft = item_create(actor=people["catalogue_admin"], department=dept_x, implementation_code="M-1",
                        basic_code="1", content={"name": "矩阵测试", "item_type": "licensing",
                                                 "service_object": "both"})
    assert check_matrix(Client, {**people, "draft": draft}, MATRIX) == []
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT  # no role changed it
