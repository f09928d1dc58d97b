import pytest

from items.demo import seed_catalogue
from items.models import ItemType, ServiceObject
from items.services import item_create
from portal.demo import seed_departments
from portal.models import Role
from tests.conftest import built_once
from tests.factories import UserFactory


@pytest.fixture
def second_admin(db):
    return UserFactory(username="catalogue_admin_2", role=Role.CATALOGUE_ADMIN)


@pytest.fixture(scope="module")
def demo_catalogue_built(django_db_blocker):
    """The demo departments and catalogue, built once for a module through the services (as `seed_demo`
    does) by two catalogue administrators of their own, and rolled back after the module."""

    def build():
        editor = UserFactory(username="demo_catalogue_editor", role=Role.CATALOGUE_ADMIN)
        reviewer = UserFactory(username="demo_catalogue_reviewer", role=Role.CATALOGUE_ADMIN)
        seed_departments()
        seed_catalogue(editor=editor, reviewer=reviewer)

    yield from built_once(django_db_blocker, build)


@pytest.fixture
def demo_catalogue(db, demo_catalogue_built):
    """The demo departments and the demo catalogue (59 published items, 4 bundles). A module that uses it
    names it for all its tests (`pytestmark`), so that every test sees the same catalogue whatever ran first."""


COMPLETE = {
    "name": "测试许可", "item_type": ItemType.LICENSING, "service_object": ServiceObject.ENTERPRISE,
    "legal_basis": "《中华人民共和国行政许可法》", "conditions": "符合条件的申请人",
    "statutory_limit": 20, "promised_limit": 5,
}


@pytest.fixture
def make_draft(people, dept_x):
    def make(code="T-001", editor=None, **content):
        return item_create(
            actor=editor or people["catalogue_admin"], department=dept_x, implementation_code=code,
            basic_code="000000000001", content={**COMPLETE, **content},
            materials=[{"name": "申请书", "required": True}],
            form_fields=[{"key": "applicant_name", "label": "申请人", "field_type": "text"}],
            steps=[{"name": "受理"}, {"name": "决定"}],
        )

    return make
