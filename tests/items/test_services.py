"""The item version state machine, four eyes, one published version, drafts, diff, search, bundles."""

import pytest
from django.core.exceptions import ValidationError
from django_fsm import TransitionNotAllowed

from items.models import Item, ItemVersion, VersionStatus
from items.selectors import (
    bundle_merged_form,
    bundle_merged_materials,
    coverage,
    item_by_code,
    search_published_items,
    version_diff,
)
from items.services import (
    bundle_save,
    version_approve,
    version_new_draft,
    version_retire,
    version_send_back,
    version_submit,
    version_update,
)
from portal.errors import DomainError
from portal.models import AuditEvent

# The demo catalogue is built once for this module (tests/items/conftest.py); every test sees it.
pytestmark = pytest.mark.usefixtures("demo_catalogue")


def _publish(version, editor, reviewer):
    return version_approve(actor=reviewer, version=version_submit(actor=editor, version=version))


def test_the_full_life_of_a_version(people, second_admin, make_draft):
    editor = people["catalogue_admin"]
    draft = make_draft()
    assert draft.status == VersionStatus.DRAFT and draft.created_by == editor
    submitted = version_submit(actor=editor, version=draft)
    assert submitted.status == VersionStatus.IN_REVIEW and submitted.submitted_by == editor
    published = version_approve(actor=second_admin, version=submitted, comment="同意")
    assert published.status == VersionStatus.PUBLISHED and published.reviewed_by == second_admin
    item = Item.objects.get(pk=draft.item_id)
    assert item.published == published
    assert item_by_code("T-001") is not None
    retired = version_retire(actor=second_admin, version=published)
    assert retired.status == VersionStatus.RETIRED
    assert item_by_code("T-001") is None
    actions = set(AuditEvent.objects.filter(object_type="items.itemversion").values_list("action", flat=True))
    assert {"item.version_submit", "item.version_publish", "item.version_retire"} <= actions


@pytest.mark.parametrize("status_path, action", [
    ([], "approve"),                       # a draft cannot be published without review
    ([], "retire"),
    (["submit"], "submit"),                # submitted twice
    (["submit", "approve"], "submit"),     # a published version is not resubmitted
    (["submit", "approve"], "send_back"),
])
def test_forbidden_transitions_are_refused(people, second_admin, make_draft, status_path, action):
    editor = people["catalogue_admin"]
    version = make_draft()
    steps = {"submit": lambda v: version_submit(actor=editor, version=v),
             "approve": lambda v: version_approve(actor=second_admin, version=v),
             "retire": lambda v: version_retire(actor=second_admin, version=v),
             "send_back": lambda v: version_send_back(actor=second_admin, version=v, comment="x")}
    for step in status_path:
        version = steps[step](version)
    before = ItemVersion.objects.get(pk=version.pk).status
    with pytest.raises(TransitionNotAllowed):
        steps[action](version)
    assert ItemVersion.objects.get(pk=version.pk).status == before


def test_an_editor_cannot_publish_their_own_draft(people, make_draft):
    editor = people["catalogue_admin"]
    submitted = version_submit(actor=editor, version=make_draft())
    with pytest.raises(DomainError):
        version_approve(actor=editor, version=submitted)
    assert ItemVersion.objects.get(pk=submitted.pk).status == VersionStatus.IN_REVIEW


def test_send_back_needs_a_comment_and_returns_to_draft(people, second_admin, make_draft):
    submitted = version_submit(actor=people["catalogue_admin"], version=make_draft())
    with pytest.raises(ValidationError):
        version_send_back(actor=second_admin, version=submitted, comment=" ")
    back = version_send_back(actor=second_admin, version=submitted, comment="设定依据不完整")
    assert back.status == VersionStatus.DRAFT and back.review_comment == "设定依据不完整"


def test_an_incomplete_draft_cannot_be_submitted(people, make_draft):
    draft = make_draft(legal_basis="")
    with pytest.raises(DomainError, match="设定依据"):
        version_submit(actor=people["catalogue_admin"], version=draft)


def test_one_published_version_at_a_time_and_the_old_one_stays(people, second_admin, make_draft):
    editor = people["catalogue_admin"]
    v1 = _publish(make_draft(), editor, second_admin)
    v2 = version_new_draft(actor=editor, item=v1.item)
    assert v2.number == 2
    assert [m.name for m in v2.materials.all()] == ["申请书"]  # copied
    version_update(actor=editor, version=v2, content={"promised_limit": 3},
                   materials=[{"name": "申请书"}, {"name": "营业执照", "source": "licence_library"}])
    v2 = _publish(v2, editor, second_admin)
    v1.refresh_from_db()
    assert v1.status == VersionStatus.RETIRED
    assert Item.objects.get(pk=v1.item_id).published == v2
    # An application filed against v1 still finds v1's content.
    assert ItemVersion.objects.get(pk=v1.pk).promised_limit == 5
    changes = {c.element: (c.old, c.new) for c in version_diff(v1, v2)}
    assert changes["承诺办结时限（工作日）"] == ("5", "3")
    assert "申请材料 2" in changes


def test_only_one_open_draft_per_item(people, second_admin, make_draft):
    v1 = _publish(make_draft(), people["catalogue_admin"], second_admin)
    version_new_draft(actor=people["catalogue_admin"], item=v1.item)
    with pytest.raises(DomainError):
        version_new_draft(actor=people["catalogue_admin"], item=v1.item)


def test_published_versions_cannot_be_edited(people, second_admin, make_draft):
    v1 = _publish(make_draft(), people["catalogue_admin"], second_admin)
    with pytest.raises(DomainError):
        version_update(actor=people["catalogue_admin"], version=v1, content={"name": "改名"})
    assert ItemVersion.objects.get(pk=v1.pk).name == "测试许可"


@pytest.mark.parametrize("content, field", [
    ({"promised_limit": 30}, "promised_limit"),
    ({"visits": 1, "visits_reason": ""}, "visits_reason"),
    ({"charged": True, "fee_basis": ""}, "fee_basis"),
])
def test_element_rules(people, make_draft, content, field):
    draft = make_draft()
    with pytest.raises(ValidationError) as caught:
        version_update(actor=people["catalogue_admin"], version=draft, content=content)
    assert field in caught.value.message_dict


def test_bad_child_rows_name_the_row_and_change_nothing(people, make_draft):
    draft = make_draft()
    with pytest.raises(ValidationError) as caught:
        version_update(actor=people["catalogue_admin"], version=draft,
                       form_fields=[{"key": "a", "label": "A"}, {"key": "a", "label": "B"}])
    assert "form_fields" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        version_update(actor=people["catalogue_admin"], version=draft,
                       materials=[{"name": "ok"}, {"name": "bad", "form": "nonsense"}])
    assert "第 2 行" in caught.value.message_dict["materials"][0]
    assert [m.name for m in ItemVersion.objects.get(pk=draft.pk).materials.all()] == ["申请书"]


@pytest.mark.parametrize("query, expected", [
    ("spjy", "食品经营许可"),
    ("食品经营", "食品经营许可"),
    ("shipinjingying", "食品经营许可"),
    ("shipinjinying", "食品经营许可"),      # a letter missing
    ("食品经应许可", "食品经营许可"),        # a wrong character
    ("ggcswsxk", "公共场所卫生许可"),
    ("婚姻登记", "婚姻登记"),
])
def test_search_by_words_pinyin_and_initials(demo_catalogue, query, expected):
    names = [i.published.name for i in search_published_items(query)]
    assert names and names[0] == expected


def test_search_finds_nothing_for_nonsense(demo_catalogue):
    assert search_published_items("zzzzqqqq") == []


def test_bundle_asks_shared_fields_and_materials_once(demo_catalogue):
    from items.models import Bundle

    bundle = Bundle.objects.get(name__startswith="开办餐饮店")
    form = bundle_merged_form(bundle)
    keys = [row["field"].key for row in form]
    assert len(keys) == len(set(keys))
    shared = [row for row in form if len(row["items"]) > 1]
    assert shared, "the restaurant bundle's items share fields such as the enterprise's name"
    names = [row["material"].name for row in bundle_merged_materials(bundle)]
    assert len(names) == len(set(names))


def test_a_bundle_needs_items_and_no_duplicates(people, demo_catalogue):
    from portal.models import Department

    item = Item.objects.filter(published__isnull=False).first()
    lead = Department.objects.get(code="SCJG")
    with pytest.raises(ValidationError):
        bundle_save(actor=people["catalogue_admin"], bundle=None, fields={"name": "空", "lead_department": lead})
    with pytest.raises(ValidationError):
        bundle_save(actor=people["catalogue_admin"], bundle=None, fields={"name": "重复", "lead_department": lead},
                    items=[item, item])


def test_coverage_counts_published_items(demo_catalogue):
    overall = coverage()[-1]
    assert overall["total"] == Item.objects.filter(published__isnull=False).count()
    assert 0 <= overall["rates"]["zero_visit"] <= 100
    assert sum(r["total"] for r in coverage()[:-1]) == overall["total"]


def test_the_demo_catalogue_has_what_the_issue_asks(demo_catalogue):
    published = ItemVersion.objects.filter(status=VersionStatus.PUBLISHED)
    assert published.count() >= 40
    assert published.values("item__department").distinct().count() >= 10
    assert published.filter(instant=True).count() >= 8
    from items.models import Bundle
    assert Bundle.objects.filter(is_published=True).count() >= 3
    for name in ["食品经营许可", "建设工程施工许可证核发", "企业设立登记", "户外广告设施设置审批"]:
        assert published.filter(name__startswith=name).exists(), name
