"""Reads of the catalogue that pages, the API and later apps share."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from rapidfuzz import fuzz, process

from items.models import CONTENT_FIELDS, Bundle, Item, ItemVersion, ServiceObject, VersionStatus
from items.services import version_children
from portal.models import Department

# --- the public catalogue -----------------------------------------------------------------------------


def published_items() -> QuerySet[Item]:
    """Items the public sees, with what a list shows, in a fixed number of queries."""
    return (
        Item.objects.filter(published__isnull=False)
        .select_related("published", "department")
        .order_by("department__code", "implementation_code")
    )


def items_for_audience(qs: QuerySet[Item], audience: str) -> QuerySet[Item]:
    """Items for persons or enterprises (items for both belong to both)."""
    return qs.filter(published__service_object__in=[audience, ServiceObject.BOTH])


def most_used_items(limit: int = 8) -> QuerySet[Item]:
    return published_items().order_by("-applications_count", "implementation_code")[:limit]


def item_by_code(code: str) -> Item | None:
    return published_items().filter(implementation_code=code).first()


def published_bundles() -> QuerySet[Bundle]:
    return Bundle.objects.filter(is_published=True).select_related("lead_department", "topic")


# --- search -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Entry:
    pk: int
    name: str
    keys: tuple[str, ...]  # lower-case name, pinyin joined, pinyin spaced, initials, codes …
    blob: str  # the keys joined, to skip most entries with one substring test


_index_lock = threading.Lock()
_index: tuple[Any, list[_Entry]] | None = None
_INDEX_TTL_SECONDS = 30.0


def _search_index() -> list[_Entry]:
    """Every published item's search keys, kept per process; reloaded when the catalogue changes."""
    global _index
    stamp = Item.objects.filter(published__isnull=False).aggregate(n=Count("id"), last=Max("published__published_at"))
    key = (stamp["n"], stamp["last"])
    with _index_lock:
        if _index is None or _index[0] != key:
            rows = Item.objects.filter(published__isnull=False).values_list("pk", "published__name", "search_text")
            _index = (key, [_Entry(pk, name, tuple(text.split("\n")), text) for pk, name, text in rows])
        return _index[1]


def _exact_score(query: str, entry: _Entry) -> float:
    """Exact, prefix and containment matches on any key (name, pinyin, initials, codes)."""
    best = 0.0
    for key in entry.keys:
        if key == query:
            return 200.0
        if key.startswith(query):
            best = max(best, 150.0 - len(key) / 100)
        elif query in key:
            best = max(best, 120.0 - len(key) / 100)
    return best


def search_items(query: str, *, limit: int = 50) -> list[int]:
    """Ids of published items matching `query` — Chinese words, full pinyin or initials — best first.

    Exact, prefix and containment matches rank first; when they are few, typo-tolerant similarity
    (rapidfuzz, in C over every key at once) adds near misses: a wrong, missing or extra character.
    """
    query = "".join(query.lower().split()) if query.isascii() else query.strip().lower()
    if not query:
        return []
    index = _search_index()
    scores: dict[int, float] = {}
    for entry in index:
        if query in entry.blob and (score := _exact_score(query, entry)) > 0:
            scores[entry.pk] = score
    if len(scores) < FUZZY_WHEN_FEWER_THAN and len(query) >= 2:
        # Near misses against names (a Chinese query) or their full pinyin (a Latin one). Pinyin, being
        # longer and made of few letters, needs a closer match than characters do.
        owners, names = _fuzzy_keys(index, latin=query.isascii())
        cutoff = 88 if query.isascii() else 75
        for _key, similarity, position in process.extract(
            query, names, scorer=fuzz.partial_ratio, score_cutoff=cutoff, limit=limit * 2
        ):
            pk = owners[position]
            scores[pk] = max(scores.get(pk, 0.0), float(similarity))
    ranked = sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))
    return [pk for pk, _score in ranked[:limit]]


FUZZY_WHEN_FEWER_THAN = 10


_fuzzy_cache: dict[tuple[int, bool], tuple[list[int], list[str]]] = {}


def _fuzzy_keys(index: list[_Entry], *, latin: bool) -> tuple[list[int], list[str]]:
    """Each item's name (or, for Latin queries, its pinyin), and whose it is; built once per index."""
    key = (id(index), latin)
    if key not in _fuzzy_cache:
        _fuzzy_cache.clear()
        position = 1 if latin else 0  # search_text starts with the name, then its pinyin
        pairs = [(e.pk, e.keys[position]) for e in index if len(e.keys) > position and e.keys[position]]
        _fuzzy_cache[key] = ([pk for pk, _k in pairs], [k for _pk, k in pairs])
    return _fuzzy_cache[key]


def search_published_items(query: str, *, limit: int = 50) -> list[Item]:
    ids = search_items(query, limit=limit)
    by_id = {i.pk: i for i in published_items().filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


def clear_search_index() -> None:
    global _index
    with _index_lock:
        _index = None


# --- bundles: one form and one list -------------------------------------------------------------------
def bundle_items(bundle: Bundle) -> list[Item]:
    return [e.item for e in bundle.entries.select_related("item__published", "item__department", "stage")]


def _merged(bundle: Bundle, rows: str, role: str, key: str) -> list[dict[str, Any]]:
    """The rows (`form_fields` or `materials`) of every item in the bundle, one per `key`, with the items
    that need it; required when any of them requires it."""
    merged: dict[str, dict[str, Any]] = {}
    entries = bundle.entries.select_related("item__published").prefetch_related(f"item__published__{rows}")
    for entry in entries:
        version = entry.item.published
        if version is None:
            continue
        for obj in getattr(version, rows).all():
            row = merged.setdefault(getattr(obj, key), {role: obj, "items": [], "required": False})
            row["items"].append(version.name)
            row["required"] = row["required"] or obj.required
    return list(merged.values())


def bundle_merged_form(bundle: Bundle) -> list[dict[str, Any]]:
    """The bundle's one form: every item's fields, a field shared by several items (same key) asked once."""
    return _merged(bundle, "form_fields", "field", "key")


def bundle_merged_materials(bundle: Bundle) -> list[dict[str, Any]]:
    """The bundle's one list of materials: a material several items ask for (same name) appears once."""
    return _merged(bundle, "materials", "material", "name")


# --- versions: snapshot and diff ----------------------------------------------------------------------
def version_snapshot(version: ItemVersion) -> dict[str, Any]:
    """Everything a version says, as plain data (what the diff compares and the history shows)."""
    data: dict[str, Any] = {f: getattr(version, f) for f in CONTENT_FIELDS}
    data["topics"] = sorted(t.name for t in version.topics.all())
    children = version_children(version)
    children["joint_departments"] = [{"department": j["department"].name, "review_days": j["review_days"]}
                                     for j in children["joint_departments"]]
    return {**data, **children}


@dataclass(frozen=True)
class Change:
    element: str  # verbose name of the element, or "材料 3"
    old: str
    new: str


def version_diff(old: ItemVersion, new: ItemVersion) -> list[Change]:
    a, b = version_snapshot(old), version_snapshot(new)
    changes = []
    for field in CONTENT_FIELDS:
        if a[field] != b[field]:
            label = str(ItemVersion._meta.get_field(field).verbose_name)
            changes.append(Change(label, _show(old, field, a[field]), _show(new, field, b[field])))
    if a["topics"] != b["topics"]:
        changes.append(Change("主题", "、".join(a["topics"]), "、".join(b["topics"])))
    for key, label in [("materials", "申请材料"), ("form_fields", "表单字段"), ("steps", "办理环节"),
                       ("joint_departments", "联办部门")]:
        rows_a, rows_b = a[key], b[key]
        for n in range(max(len(rows_a), len(rows_b))):
            ra = rows_a[n] if n < len(rows_a) else None
            rb = rows_b[n] if n < len(rows_b) else None
            if ra != rb:
                changes.append(Change(f"{label} {n + 1}", _row(ra), _row(rb)))
    return changes


def _show(version: ItemVersion, field: str, value: Any) -> str:
    display = getattr(version, f"get_{field}_display", None)
    if display is not None:
        return str(display())
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _row(row: dict[str, Any] | None) -> str:
    if row is None:
        return "—"
    return "；".join(f"{k}={v}" for k, v in row.items() if v not in ("", None, [], False))


# --- the catalogue administrator's figures -------------------------------------------------------------
def coverage(*, department: Department | None = None) -> list[dict[str, Any]]:
    """最多跑一次 coverage of published items, per department and overall (one query)."""
    published = Q(items__published__isnull=False)
    p = "items__published__"
    counts = (
        Department.objects.filter(is_active=True)
        .annotate(
            total=Count("items", filter=published),
            at_most_one_visit=Count("items", filter=published & Q(**{f"{p}visits__lte": 1})),
            zero_visit=Count("items", filter=published & Q(**{f"{p}visits": 0})),
            fully_online=Count("items", filter=published & Q(**{f"{p}online_depth": 4})),
            citywide=Count("items", filter=published & Q(**{f"{p}citywide": True})),
            id_card_only=Count("items", filter=published & Q(**{f"{p}id_card_only": True})),
            instant=Count("items", filter=published & Q(**{f"{p}instant": True})),
        )
        .filter(total__gt=0)
        .order_by("code")
    )
    if department is not None:
        counts = counts.filter(pk=department.pk)
    keys = ["total", "at_most_one_visit", "zero_visit", "fully_online", "citywide", "id_card_only", "instant"]
    rows = [{"department": d, **{k: getattr(d, k) for k in keys}} for d in counts]
    overall = {"department": None, **{k: sum(r[k] for r in rows) for k in keys}}
    for row in [*rows, overall]:
        row["rates"] = {k: (row[k] / row["total"] * 100 if row["total"] else 0.0) for k in keys[1:]}
        row["rate_list"] = list(row["rates"].values())  # in the order of the table's columns
    return [*rows, overall]


def versions_awaiting_review(*, reviewer: Any) -> QuerySet[ItemVersion]:
    """Versions under review that this administrator may review (not ones they edited or submitted)."""
    return (
        ItemVersion.objects.filter(status=VersionStatus.IN_REVIEW)
        .exclude(created_by=reviewer)
        .exclude(submitted_by=reviewer)
        .select_related("item__department", "created_by", "submitted_by")
    )
