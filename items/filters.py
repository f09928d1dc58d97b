"""Filters of the public catalogue API (django-filter): what a citizen narrows the list of items by."""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet
from django_filters import rest_framework as filters

from items.models import Item, ItemType, ItemVersion, OnlineDepth, ServiceObject, Topic
from items.selectors import items_for_audience
from portal.models import DepartmentLevel

SMALL_INT_MAX = 32767  # PositiveSmallIntegerField's ceiling on every database Django supports
ID_MAX = 2**63 - 1


class SmallIntegerFilter(filters.NumberFilter):
    """A whole number from 0 to 32767: what the version's counters hold (NumberFilter would take 1.5)."""

    field_class = forms.IntegerField

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", SMALL_INT_MAX)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class StrictBooleanFilter(filters.TypedChoiceFilter):
    """true or false; anything else is a 400 (django-filter's BooleanFilter silently ignores it)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("choices", [("true", "true"), ("false", "false")])
        kwargs.setdefault("coerce", lambda value: value == "true")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class ItemFilter(filters.FilterSet):
    department = filters.CharFilter(field_name="department__code", max_length=32,
                                    help_text="实施部门编码, e.g. SCJG.")
    item_type = filters.ChoiceFilter(field_name="published__item_type", choices=ItemType.choices)
    service_object = filters.ChoiceFilter(
        choices=ServiceObject.choices, method="filter_service_object",
        help_text="person or enterprise also lists the items that serve both; both lists only those.")
    level = filters.ChoiceFilter(field_name="published__level", choices=DepartmentLevel.choices)
    visits = SmallIntegerFilter(field_name="published__visits", help_text="到现场次数, exactly.")
    visits_max = SmallIntegerFilter(field_name="published__visits", lookup_expr="lte",
                                    help_text="到现场次数 at most (visits_max=1: 最多跑一次).")
    online_depth = filters.TypedChoiceFilter(field_name="published__online_depth", choices=OnlineDepth.choices,
                                             coerce=int)
    instant = StrictBooleanFilter(field_name="published__instant", help_text="即办件.")
    topic = filters.CharFilter(method="filter_topic", max_length=40, help_text="A topic's name or id.")

    class Meta:
        model = Item
        fields: list[str] = []

    def filter_service_object(self, queryset: QuerySet[Item], name: str, value: str) -> QuerySet[Item]:
        if value == ServiceObject.BOTH:
            return queryset.filter(published__service_object=ServiceObject.BOTH)
        return items_for_audience(queryset, value)

    def filter_topic(self, queryset: QuerySet[Item], name: str, value: str) -> QuerySet[Item]:
        match = Q(name=value)
        if value.isdigit() and int(value) <= ID_MAX:
            match |= Q(pk=int(value))
        # A subquery, not a join: an item is listed once however many of its topics match.
        versions = ItemVersion.objects.filter(topics__in=Topic.objects.filter(match)).values("pk")
        return queryset.filter(published__in=versions)
