"""Load the demo catalogue (items/demo_catalogue.py) through the services: published versions, bundles."""

from __future__ import annotations

import re
from typing import Any, cast

from django.db import transaction

from items import demo_catalogue as data
from items.models import Bundle, Item, Topic
from items.services import bundle_save, item_create, version_approve, version_submit
from portal.models import Department


def _validity_months(result_name: str) -> int:
    found = re.search(r"有效期\s*(\d+)\s*年", result_name)
    return int(found.group(1)) * 12 if found else 0


def _content(row: dict[str, Any]) -> dict[str, Any]:
    fee = row["fee"] or {}
    return {
        **{k: row[k] for k in (
            "name", "item_type", "legal_basis", "level", "service_object", "conditions", "statutory_limit",
            "statutory_note", "promised_limit", "promised_note", "instant", "visits", "visits_reason",
            "online_depth", "citywide", "id_card_only", "appointment", "express", "online_payment",
            "result_type", "result_name", "reconsideration", "litigation")},
        **row["joint_rule"],
        # "食品经营许可证（有效期5年）": the licence of the item is valid that long.
        "licence_validity_months": _validity_months(row["result_name"]),
        "charged": bool(fee),
        "fee_basis": fee.get("basis", ""),
        "fee_standard": fee.get("standard", ""),
        "fee_waiver": fee.get("waiver", ""),
    }


def _materials(row: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"name": m["name"], "required": m["required"], "form": m["form"], "copies": m["copies"],
             "source": m["source"], "standard": m["standard"], "may_be_missing": m["may_be_missing"],
             "commitment_allowed": m["commitment"]} for m in row["materials"]]


def _form_fields(row: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": f["key"], "label": f["label"], "field_type": f["type"], "required": f["required"],
             "choices": f.get("choices", []), "help_text": f.get("help", ""), "min_value": f.get("min"),
             "max_value": f.get("max"), "max_length": f.get("max_length")} for f in row["form_fields"]]


@transaction.atomic
def seed_catalogue(*, editor: Any, reviewer: Any) -> int:
    """Create the demo topics, items and bundles that do not exist yet; returns how many items were added."""
    topics = {}
    for order, t in enumerate(data.TOPICS):
        topics[t["name"]], _ = Topic.objects.get_or_create(
            name=t["name"], defaults={"kind": t["kind"], "audience": t["audience"], "order": order})
    departments = {d.code: d for d in Department.objects.all()}
    parents = {row.get("parent_implementation_code") for row in data.ITEMS} - {None}
    added = 0
    for row in data.ITEMS:
        if Item.objects.filter(implementation_code=row["implementation_code"]).exists():
            continue
        parent = (Item.objects.get(implementation_code=row["parent_implementation_code"])
                  if row.get("parent_implementation_code") else None)
        version = item_create(
            actor=editor, department=departments[row["department"]],
            implementation_code=row["implementation_code"], basic_code=row["basic_code"],
            business_code=row["business_code"],
            node=Item.Node.MAIN if row["implementation_code"] in parents else Item.Node.BUSINESS, parent=parent,
            content=_content(row), topics=[topics[name] for name in row["topics"]],
            materials=_materials(row), form_fields=_form_fields(row), steps=row["steps"],
            joint_departments=[{"department": departments[j["department"]], "review_days": j["review_days"]}
                               for j in row["joint_departments"]],
        )
        version_approve(actor=reviewer, version=version_submit(actor=editor, version=version))
        added += 1
    items = {i.implementation_code: i for i in Item.objects.all()}
    for b in cast(list[dict[str, Any]], data.BUNDLES):
        if Bundle.objects.filter(name=b["name"]).exists():
            continue
        bundle_save(
            actor=editor, bundle=None,
            fields={"name": b["name"], "kind": b["kind"], "lead_department": departments[b["lead_department"]],
                    "audience": b["audience"], "topic": topics.get(b["topic"]), "guide": b["guide"],
                    "promised_limit": b["promised_limit"], "is_published": True},
            items=[items[c] for c in b["items"]],
            stages=[{"name": s["name"], "lead_department": departments[s["lead_department"]],
                     "items": [items[c] for c in s["items"]]} for s in b["stages"]],
        )
    return added


def pad_catalogue(*, department: Department, count: int, start: int = 0) -> None:
    """Add `count` generated published items (for measuring a city-sized catalogue; not demo content).

    Written in bulk, not through the services: it makes thousands of rows in seconds.
    """
    from django.utils import timezone

    from items.models import ItemVersion, VersionStatus
    from items.selectors import clear_search_index
    from items.services import search_text_for

    names = [f"测试事项{i}号" for i in range(start, start + count)]
    items = Item.objects.bulk_create([
        Item(department=department, implementation_code=f"BULK-{i:05d}", basic_code="B",
             search_text=search_text_for(name, department.name))
        for i, name in zip(range(start, start + count), names, strict=True)
    ])
    versions = ItemVersion.objects.bulk_create([
        ItemVersion(item=item, number=1, status=VersionStatus.PUBLISHED, published_at=timezone.now(), name=name,
                    item_type="licensing", service_object="both", legal_basis="《中华人民共和国行政许可法》",
                    conditions="—", statutory_limit=20, promised_limit=5)
        for item, name in zip(items, names, strict=True)
    ])
    for item, version in zip(items, versions, strict=True):
        item.published = version
    Item.objects.bulk_update(items, ["published"], batch_size=500)
    clear_search_index()
