"""Every write to the catalogue: items, versions and their review, bundles. Each is audited."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from items.models import (
    CONTENT_FIELDS,
    FORM_FIELD_FIELDS,
    MATERIAL_FIELDS,
    STEP_FIELDS,
    Bundle,
    BundleItem,
    BundleStage,
    FormField,
    Item,
    ItemVersion,
    JointDepartment,
    Material,
    Step,
    Topic,
    VersionStatus,
)
from portal.errors import Conflict, DomainError
from portal.fsm import transition
from portal.models import Department
from portal.services.audit import audit_record


def search_text_for(*parts: str) -> str:
    """Name, full pinyin (joined and spaced) and initials, lower case: what search matches against."""
    out = []
    for part in parts:
        if not part:
            continue
        syllables = lazy_pinyin(part)
        out += [part.lower(), "".join(syllables), " ".join(syllables),
                "".join(lazy_pinyin(part, style=Style.FIRST_LETTER))]
    return "\n".join(out).lower()


# --- items and versions -------------------------------------------------------------------------------
@transaction.atomic
def item_create(
    *,
    actor: Any,
    department: Department,
    implementation_code: str,
    basic_code: str,
    business_code: str = "",
    node: str = Item.Node.BUSINESS,
    parent: Item | None = None,
    content: dict[str, Any],
    topics: Iterable[Topic] = (),
    materials: Sequence[dict[str, Any]] = (),
    form_fields: Sequence[dict[str, Any]] = (),
    steps: Sequence[dict[str, Any]] = (),
    joint_departments: Sequence[dict[str, Any]] = (),
) -> ItemVersion:
    """Create an item with its first version, a draft."""
    item = Item(department=department, implementation_code=implementation_code.strip(),
                basic_code=basic_code.strip(), business_code=business_code.strip(), node=node, parent=parent)
    item.full_clean()
    item.save()
    version = ItemVersion(item=item, number=1, created_by=actor if _is_user(actor) else None)
    _write_version(version, content=content, topics=topics, materials=materials, form_fields=form_fields,
                   steps=steps, joint_departments=joint_departments)
    audit_record(actor=actor, action="item.create", obj=item, object_label=version.name,
                 after={"version": version.number})
    return version


@transaction.atomic
def version_new_draft(*, actor: Any, item: Item) -> ItemVersion:
    """Open a new draft, copied from the published version (or the latest one)."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    if item.versions.filter(status__in=[VersionStatus.DRAFT, VersionStatus.IN_REVIEW]).exists():
        raise Conflict(_("该事项已有未发布的草稿，请先完成或撤回它。"))
    source = item.published or item.versions.order_by("-number").first()
    assert source is not None
    draft = ItemVersion(item=item, number=item.versions.count() + 1, created_by=actor if _is_user(actor) else None)
    snapshot = version_children(source)
    _write_version(draft, content={f: getattr(source, f) for f in CONTENT_FIELDS}, topics=source.topics.all(),
                   **snapshot)
    if source.result_sample:
        ItemVersion.objects.filter(pk=draft.pk).update(result_sample=source.result_sample.name)
    audit_record(actor=actor, action="item.version_draft", obj=draft, after={"from": source.number})
    return draft


@transaction.atomic
def version_update(
    *,
    actor: Any,
    version: ItemVersion,
    content: dict[str, Any] | None = None,
    topics: Iterable[Topic] | None = None,
    materials: Sequence[dict[str, Any]] | None = None,
    form_fields: Sequence[dict[str, Any]] | None = None,
    steps: Sequence[dict[str, Any]] | None = None,
    joint_departments: Sequence[dict[str, Any]] | None = None,
) -> ItemVersion:
    """Edit a draft. Lists given replace the version's rows; None leaves them as they are."""
    version = ItemVersion.objects.select_for_update().get(pk=version.pk)
    if not version.is_editable:
        raise DomainError(_("只有草稿可以修改。"))
    before = {f: getattr(version, f) for f in CONTENT_FIELDS}
    _write_version(version, content=content or {}, topics=topics, materials=materials, form_fields=form_fields,
                   steps=steps, joint_departments=joint_departments)
    changed = {f: str(getattr(version, f)) for f in CONTENT_FIELDS if getattr(version, f) != before[f]}
    rows = [name for name, value in [("materials", materials), ("form_fields", form_fields), ("steps", steps),
                                     ("joint_departments", joint_departments), ("topics", topics)]
            if value is not None]
    audit_record(actor=actor, action="item.version_edit", obj=version,
                 before={k: str(before[k]) for k in changed}, after={**changed, "rows": rows})
    return version


def _write_version(
    version: ItemVersion,
    *,
    content: dict[str, Any],
    topics: Iterable[Topic] | None = None,
    materials: Sequence[dict[str, Any]] | None = None,
    form_fields: Sequence[dict[str, Any]] | None = None,
    steps: Sequence[dict[str, Any]] | None = None,
    joint_departments: Sequence[dict[str, Any]] | None = None,
) -> None:
    for field, value in content.items():
        if field not in CONTENT_FIELDS:
            raise ValueError(f"not an editable element: {field}")
        setattr(version, field, value)
    version.full_clean(exclude=["item", "number", "status"])  # a protected FSM field cannot be re-set
    version.save()
    if topics is not None:
        version.topics.set(list(topics))
    if materials is not None:
        _replace_rows(version, Material, MATERIAL_FIELDS, materials, "materials")
    if form_fields is not None:
        keys = [row.get("key") for row in form_fields]
        if len(keys) != len(set(keys)):
            raise ValidationError({"form_fields": _("字段标识不能重复。")})
        _replace_rows(version, FormField, FORM_FIELD_FIELDS, form_fields, "form_fields")
    if steps is not None:
        _replace_rows(version, Step, STEP_FIELDS, steps, "steps")
    if joint_departments is not None:
        version.joint_departments.all().delete()
        for row in joint_departments:
            if row["department"] == version.item.department:
                raise ValidationError({"joint_departments": _("联办部门不能是实施部门本身。")})
            JointDepartment.objects.create(version=version, department=row["department"],
                                           review_days=row.get("review_days", 5))


def _replace_rows(version: ItemVersion, model: Any, fields: Sequence[str], rows: Sequence[dict[str, Any]],
                  label: str) -> None:
    getattr(version, label).all().delete()
    for order, row in enumerate(rows, start=1):
        obj = model(version=version, order=order, **{f: row[f] for f in fields if f in row})
        for f in ("blank_form", "sample"):
            if row.get(f):
                setattr(obj, f, row[f])
        try:
            obj.full_clean(exclude=["version"])
        except ValidationError as exc:
            details = "；".join(f"{_verbose(model, k)}{'，'.join(v)}" for k, v in exc.message_dict.items())
            raise ValidationError({label: _("第 %(n)s 行：%(msg)s") % {"n": order, "msg": details}}) from exc
        obj.save()


def _verbose(model: Any, field: str) -> str:
    return "" if field == "__all__" else f"{model._meta.get_field(field).verbose_name}："


def version_children(version: ItemVersion) -> dict[str, list[dict[str, Any]]]:
    """A version's rows as plain dicts, in order: what a new draft copies and the diff compares."""
    return {
        "materials": [
            {**{f: getattr(m, f) for f in MATERIAL_FIELDS}, "blank_form": m.blank_form.name, "sample": m.sample.name}
            for m in version.materials.all()
        ],
        "form_fields": [{f: getattr(x, f) for f in FORM_FIELD_FIELDS} for x in version.form_fields.all()],
        "steps": [{f: getattr(x, f) for f in STEP_FIELDS} for x in version.steps.all()],
        "joint_departments": [{"department": j.department, "review_days": j.review_days}
                              for j in version.joint_departments.select_related("department")],
    }


def _check_complete(version: ItemVersion) -> None:
    """A version goes to review only with the elements every guide must have (六统一)."""
    missing = []
    if not version.legal_basis.strip():
        missing.append(str(ItemVersion._meta.get_field("legal_basis").verbose_name))
    if not version.conditions.strip():
        missing.append(str(ItemVersion._meta.get_field("conditions").verbose_name))
    if not version.steps.exists():
        missing.append(_("办理环节"))
    if not version.materials.exists() and version.item_type != "public_service":
        missing.append(_("申请材料"))
    if missing:
        raise DomainError(_("提交审核前请补全：%(missing)s。") % {"missing": "、".join(missing)})


def version_submit(*, actor: Any, version: ItemVersion) -> ItemVersion:
    return transition(version, "submit", actor=actor, action="item.version_submit", check=_check_complete,
                      by=_user(actor))


def _check_four_eyes(actor: Any) -> Any:
    def check(version: ItemVersion) -> None:
        if _is_user(actor) and version.is_own(actor):
            raise DomainError(_("不能审核自己编辑或提交的版本，请由另一位事项管理员审核。"))

    return check


@transaction.atomic
def version_approve(*, actor: Any, version: ItemVersion, comment: str = "") -> ItemVersion:
    """Publish a version under review; the item's previous published version retires. Four eyes."""
    item = Item.objects.select_for_update().get(pk=version.item_id)
    previous = item.published
    if previous is not None and previous.pk != version.pk:
        transition(previous, "retire", actor=actor, action="item.version_retire")
    version = transition(version, "publish", actor=actor, action="item.version_publish",
                         check=_check_four_eyes(actor), by=_user(actor), comment=comment)
    item.published = version
    item.search_text = search_text_for(version.name, version.result_name, item.department.name,
                                       item.department.short_name) + "\n" + (
        f"{item.implementation_code}\n{item.basic_code}\n{item.business_code}".lower())
    item.save(update_fields=["published", "search_text"])
    return version


def version_send_back(*, actor: Any, version: ItemVersion, comment: str) -> ItemVersion:
    if not comment.strip():
        raise ValidationError({"comment": _("退回须写明意见。")})
    return transition(version, "send_back", actor=actor, action="item.version_send_back",
                      check=_check_four_eyes(actor), by=_user(actor), comment=comment)


@transaction.atomic
def version_retire(*, actor: Any, version: ItemVersion) -> ItemVersion:
    """Stop offering an item: its published version retires and the public no longer sees it."""
    item = Item.objects.select_for_update().get(pk=version.item_id)
    version = transition(version, "retire", actor=actor, action="item.version_retire")
    if item.published_id == version.pk:
        item.published = None
        item.search_text = ""
        item.save(update_fields=["published", "search_text"])
    return version


def item_record_use(*, item: Item) -> None:
    """Count one more application (the home page lists the most-used items)."""
    Item.objects.filter(pk=item.pk).update(applications_count=F("applications_count") + 1)


# --- bundles ------------------------------------------------------------------------------------------
@transaction.atomic
def bundle_save(
    *,
    actor: Any,
    bundle: Bundle | None,
    fields: dict[str, Any],
    items: Sequence[Item] = (),
    stages: Sequence[dict[str, Any]] = (),
) -> Bundle:
    """Create or replace a bundle. Either `items` (no stages) or `stages`, each {name, lead_department, items}."""
    creating = bundle is None
    bundle = Bundle() if bundle is None else Bundle.objects.select_for_update().get(pk=bundle.pk)
    for field, value in fields.items():
        setattr(bundle, field, value)
    bundle.search_text = search_text_for(bundle.name)
    bundle.full_clean()
    bundle.save()
    bundle.entries.all().delete()
    bundle.stages.all().delete()
    seen: set[int] = set()

    def add(item: Item, stage: BundleStage | None, order: int) -> None:
        if item.pk in seen:
            raise ValidationError({"items": _("事项“%(item)s”重复出现。") % {"item": item}})
        seen.add(item.pk)
        BundleItem.objects.create(bundle=bundle, stage=stage, item=item, order=order)

    if stages:
        for s_order, row in enumerate(stages, start=1):
            stage = BundleStage.objects.create(bundle=bundle, order=s_order, name=row["name"],
                                               lead_department=row["lead_department"])
            for order, item in enumerate(row["items"], start=1):
                add(item, stage, order)
    else:
        for order, item in enumerate(items, start=1):
            add(item, None, order)
    if not seen:
        raise ValidationError({"items": _("主题套餐至少包含一个事项。")})
    audit_record(actor=actor, action="bundle.create" if creating else "bundle.edit", obj=bundle,
                 after={"items": len(seen), "stages": len(stages)})
    return bundle


def _is_user(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _user(actor: Any) -> Any:
    return actor if _is_user(actor) else None
