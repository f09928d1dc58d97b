"""The catalogue API: the public list and guide of items and bundles; versions for catalogue administrators.

Reads come from items.selectors, writes go through items.services; serializers here only validate input and
shape output (they never save). Domain errors and state conflicts become 400 and 409 in portal.errors.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from django.db.models import F, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.pagination import CursorPagination, LimitOffsetPagination
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.validators import UniqueValidator
from rest_framework.views import APIView

from items.filters import ItemFilter
from items.models import (
    CONTENT_FIELDS,
    FORM_FIELD_FIELDS,
    MATERIAL_FIELDS,
    Bundle,
    BundleItem,
    BundleStage,
    FieldType,
    FormField,
    Item,
    ItemType,
    ItemVersion,
    JointDepartment,
    Material,
    OnlineDepth,
    ServiceObject,
    Step,
    Topic,
    VersionStatus,
)
from items.selectors import (
    bundle_merged_form,
    bundle_merged_materials,
    published_bundles,
    published_items,
    search_items,
)
from items.services import (
    item_create,
    version_approve,
    version_new_draft,
    version_retire,
    version_send_back,
    version_submit,
    version_update,
)
from portal.models import Department, DepartmentLevel, Role
from portal.permissions import HasRole

CatalogueAdmin = HasRole.of(Role.CATALOGUE_ADMIN)

MAX_SEARCH_RESULTS = 1000
MAX_ROWS = 200  # materials, form fields, steps or joint departments of one version
CODE_PATTERN = r"^[0-9A-Za-z_-]+$"  # codes appear in URLs: no slashes, no spaces
CODE_MESSAGE = "编码只能包含字母、数字、下划线和连字符。 Letters, digits, '_' and '-' only."
VERSION_ROWS = ("topics", "materials", "form_fields", "steps",
                Prefetch("joint_departments", queryset=JointDepartment.objects.select_related("department")))


class ReadOnlyModelSerializer(serializers.ModelSerializer):
    """A model serializer that validates and shows, but never writes: writes go through items.services."""

    def save(self, **kwargs: Any) -> Any:
        raise TypeError("catalogue writes go through items.services")


# --- small pieces -------------------------------------------------------------------------------------
class DepartmentRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class TopicSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Topic
        fields = ["id", "name", "kind", "kind_label"]


class UserRefSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()


class ItemRefSerializer(serializers.Serializer):
    """A published item in a few words (parent, children, the items of a bundle)."""

    implementation_code = serializers.CharField()
    name = serializers.CharField(source="published.name")
    department = DepartmentRefSerializer()
    promised_limit = serializers.IntegerField(source="published.promised_limit")
    visits = serializers.IntegerField(source="published.visits")


# --- the public list ----------------------------------------------------------------------------------
class ItemSummarySerializer(serializers.Serializer):
    """One line of the catalogue: the published version's headline elements."""

    implementation_code = serializers.CharField()
    name = serializers.CharField(source="published.name")
    department = DepartmentRefSerializer()
    item_type = serializers.ChoiceField(ItemType.choices, source="published.item_type")
    item_type_label = serializers.CharField(source="published.get_item_type_display")
    service_object = serializers.ChoiceField(ServiceObject.choices, source="published.service_object")
    service_object_label = serializers.CharField(source="published.get_service_object_display")
    level = serializers.ChoiceField(DepartmentLevel.choices, source="published.level")
    level_label = serializers.CharField(source="published.get_level_display")
    statutory_limit = serializers.IntegerField(source="published.statutory_limit")
    promised_limit = serializers.IntegerField(source="published.promised_limit")
    instant = serializers.BooleanField(source="published.instant")
    visits = serializers.IntegerField(source="published.visits")
    online_depth = serializers.ChoiceField(OnlineDepth.choices, source="published.online_depth")
    online_depth_label = serializers.CharField(source="published.get_online_depth_display")
    citywide = serializers.BooleanField(source="published.citywide")
    id_card_only = serializers.BooleanField(source="published.id_card_only")
    charged = serializers.BooleanField(source="published.charged")
    topics = TopicSerializer(source="published.topics", many=True)


class ItemSearchQuery(serializers.Serializer):
    search = serializers.CharField(
        required=False, allow_blank=True, max_length=100,
        help_text="Name, full pinyin or initials (e.g. spjy), typos tolerated. Results come best first and are "
                  "paged by limit and offset instead of a cursor.")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100,
                                     help_text="With search: results per page (default 50).")
    offset = serializers.IntegerField(required=False, min_value=0, max_value=MAX_SEARCH_RESULTS,
                                      help_text="With search: results to skip.")


class ItemCursorPagination(CursorPagination):
    ordering = "implementation_code"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_paginated_response_schema(self, schema: dict) -> dict:
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"] = {
            "type": "integer", "example": 3,
            "description": "Only when searching: how many items match (the search pages by limit and offset).",
        }
        return response


class SearchPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 100


# --- the published guide (办事指南) and the versions behind it ------------------------------------------
class MaterialSerializer(ReadOnlyModelSerializer):
    form_label = serializers.CharField(source="get_form_display", read_only=True)
    source_label = serializers.CharField(source="get_source_display", read_only=True)

    class Meta:
        model = Material
        fields = [*MATERIAL_FIELDS, "form_label", "source_label", "blank_form", "sample"]
        read_only_fields = ["blank_form", "sample"]


class FormFieldSerializer(ReadOnlyModelSerializer):
    field_type_label = serializers.CharField(source="get_field_type_display", read_only=True)
    choices = serializers.ListField(child=serializers.CharField(max_length=100), max_length=100, required=False,
                                    help_text="The options of a choice field.")

    class Meta:
        model = FormField
        fields = [*FORM_FIELD_FIELDS, "field_type_label"]

    def validate(self, attrs: dict) -> dict:
        low, high = attrs.get("min_value"), attrs.get("max_value")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"max_value": "最大值不能小于最小值。 max_value < min_value."})
        if attrs.get("field_type") == FieldType.CHOICE and not attrs.get("choices"):
            raise serializers.ValidationError({"choices": "选项字段须列出选项。 A choice field needs choices."})
        return attrs


class StepSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Step
        fields = ["name", "description"]


class JointDepartmentSerializer(serializers.Serializer):
    department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.filter(is_active=True),
                                              help_text="部门编码.")
    department_name = serializers.CharField(source="department.name", read_only=True)
    review_days = serializers.IntegerField(min_value=0, max_value=365, default=5,
                                           help_text="审查时限（工作日）.")


class VersionContentSerializer(ReadOnlyModelSerializer):
    """Every element of a version (CONTENT_FIELDS), with the display label of each choice."""

    item_type_label = serializers.CharField(source="get_item_type_display", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    service_object_label = serializers.CharField(source="get_service_object_display", read_only=True)
    online_depth_label = serializers.CharField(source="get_online_depth_display", read_only=True)
    result_type_label = serializers.CharField(source="get_result_type_display", read_only=True)
    topics = TopicSerializer(many=True, read_only=True)
    materials = MaterialSerializer(many=True, read_only=True)
    form_fields = FormFieldSerializer(many=True, read_only=True)
    steps = StepSerializer(many=True, read_only=True)
    joint_departments = JointDepartmentSerializer(many=True, read_only=True)

    LABELS = ["item_type_label", "level_label", "service_object_label", "online_depth_label", "result_type_label"]
    ROWS = ["topics", "materials", "form_fields", "steps", "joint_departments"]

    class Meta:
        model = ItemVersion
        fields = [*CONTENT_FIELDS]


class PublishedItemSerializer(VersionContentSerializer):
    """What the public sees of an item: its identity and the whole published guide."""

    implementation_code = serializers.CharField(source="item.implementation_code")
    basic_code = serializers.CharField(source="item.basic_code")
    business_code = serializers.CharField(source="item.business_code")
    node = serializers.ChoiceField(Item.Node.choices, source="item.node")
    node_label = serializers.CharField(source="item.get_node_display")
    department = DepartmentRefSerializer(source="item.department")
    parent = serializers.SerializerMethodField()  # type: ignore[assignment]  # DRF stubs: Field.parent
    children = ItemRefSerializer(source="item.children", many=True)
    version = serializers.IntegerField(source="number")

    class Meta:
        model = ItemVersion
        fields = ["implementation_code", "basic_code", "business_code", "node", "node_label", "department",
                  "parent", "children", "version", "published_at", *CONTENT_FIELDS,
                  *VersionContentSerializer.LABELS, "result_sample", *VersionContentSerializer.ROWS]

    @extend_schema_field(ItemRefSerializer(allow_null=True))
    def get_parent(self, version: ItemVersion) -> dict | None:
        parent = version.item.parent
        if parent is None or parent.published is None:
            return None  # the public does not know of unpublished items
        return ItemRefSerializer(parent).data


class VersionSummarySerializer(serializers.ModelSerializer):
    """One version in an item's history: who edited, submitted and reviewed it, and when it was published."""

    implementation_code = serializers.CharField(source="item.implementation_code", read_only=True)
    status = serializers.ChoiceField(VersionStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    created_by = UserRefSerializer(allow_null=True, read_only=True)
    submitted_by = UserRefSerializer(allow_null=True, read_only=True)
    reviewed_by = UserRefSerializer(allow_null=True, read_only=True)

    class Meta:
        model = ItemVersion
        fields = ["id", "implementation_code", "number", "status", "status_label", "name", "created_by",
                  "created_at", "updated_at", "submitted_by", "reviewed_by", "review_comment", "published_at",
                  "retired_at"]
        read_only_fields = fields


class VersionSerializer(VersionContentSerializer, VersionSummarySerializer):
    """A whole version, for the catalogue administrators who edit and review it."""

    class Meta:
        model = ItemVersion
        fields = [*VersionSummarySerializer.Meta.fields, *CONTENT_FIELDS, *VersionContentSerializer.LABELS,
                  *VersionContentSerializer.ROWS]
        read_only_fields = fields


# --- input --------------------------------------------------------------------------------------------
class VersionWriteSerializer(ReadOnlyModelSerializer):
    """A version's content as an administrator sends it. Lists given replace the version's rows."""

    # Bounded like the primary key: a larger number is no topic, and SQLite cannot even compare it (500).
    topics = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), max_length=50,
                                   required=False, help_text="Topic ids.")
    # (max_length goes to the ListSerializer of many=True; the stubs do not know it.)
    materials = MaterialSerializer(many=True, required=False, max_length=MAX_ROWS)  # type: ignore[call-arg]
    form_fields = FormFieldSerializer(many=True, required=False, max_length=MAX_ROWS)  # type: ignore[call-arg]
    steps = StepSerializer(many=True, required=False, max_length=MAX_ROWS)  # type: ignore[call-arg]
    joint_departments = JointDepartmentSerializer(  # type: ignore[call-arg]
        many=True, required=False, max_length=MAX_ROWS)

    class Meta:
        model = ItemVersion
        fields = [*CONTENT_FIELDS, *VersionContentSerializer.ROWS]

    def validate_topics(self, ids: list[int]) -> list[Topic]:
        topics = list(Topic.objects.filter(pk__in=set(ids)))
        missing = set(ids) - {t.pk for t in topics}
        if missing:
            raise serializers.ValidationError(f"没有这些主题。 No such topics: {sorted(missing)}.")
        return topics

    def validate_joint_departments(self, rows: list[dict]) -> list[dict]:
        codes = [row["department"].code for row in rows]
        if len(codes) != len(set(codes)):
            raise serializers.ValidationError("联办部门不能重复。 A department is listed twice.")
        return rows

    def content(self) -> dict[str, Any]:
        return {k: v for k, v in self.validated_data.items() if k in CONTENT_FIELDS}

    def rows(self) -> dict[str, Any]:
        return {k: self.validated_data.get(k) for k in VersionContentSerializer.ROWS}


class VersionPatchSerializer(VersionWriteSerializer):
    """Every element optional: what is sent changes, what is not stays (a list sent replaces the rows)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Not `partial=True`: that would also make the fields of each material or form field optional.
        for field in self.fields.values():
            field.required = False


class ItemCreateSerializer(VersionWriteSerializer):
    """A new item (its codes, place and department) with the content of its first draft."""

    implementation_code = serializers.RegexField(
        CODE_PATTERN, max_length=36, help_text="实施编码.", error_messages={"invalid": CODE_MESSAGE},
        validators=[UniqueValidator(Item.objects.all(), message="实施编码已被使用。 This code is taken.")])
    basic_code = serializers.RegexField(CODE_PATTERN, max_length=12, help_text="基本编码.",
                                        error_messages={"invalid": CODE_MESSAGE})
    business_code = serializers.RegexField(
        CODE_PATTERN, max_length=50, required=False, help_text="业务办理项编码.",
        error_messages={"invalid": CODE_MESSAGE},
        # The model's conditional constraint would only say so without naming the field.
        validators=[UniqueValidator(Item.objects.all(), message="业务办理项编码已被使用。 This code is taken.")])
    department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.filter(is_active=True),
                                              help_text="实施部门编码.")
    node = serializers.ChoiceField(Item.Node.choices, default=Item.Node.BUSINESS)
    parent = serializers.SlugRelatedField(  # type: ignore[assignment]  # DRF stubs: Field.parent
        slug_field="implementation_code", queryset=Item.objects.all(),
                                          required=False, allow_null=True, help_text="上级事项的实施编码.")

    class Meta:
        model = ItemVersion
        fields = ["implementation_code", "basic_code", "business_code", "department", "node", "parent",
                  *CONTENT_FIELDS, *VersionContentSerializer.ROWS]


class ApproveSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class SendBackSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, help_text="Why the draft goes back (required).")


# --- bundles (一件事 / 一个项目) ---------------------------------------------------------------------------
class BundleStageSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    name = serializers.CharField()
    lead_department = DepartmentRefSerializer()
    items = serializers.SerializerMethodField()

    @extend_schema_field(ItemRefSerializer(many=True))
    def get_items(self, stage: BundleStage) -> Any:
        return ItemRefSerializer([entry.item for entry in stage.entries.all()], many=True).data


class BundleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(Bundle.Kind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    lead_department = DepartmentRefSerializer()
    audience = serializers.ChoiceField(ServiceObject.choices)
    audience_label = serializers.CharField(source="get_audience_display")
    topic = TopicSerializer(allow_null=True)
    guide = serializers.CharField()
    promised_limit = serializers.IntegerField()
    stages = BundleStageSerializer(many=True)
    items = serializers.SerializerMethodField()

    @extend_schema_field(ItemRefSerializer(many=True))
    def get_items(self, bundle: Bundle) -> Any:
        return ItemRefSerializer([entry.item for entry in bundle.entries.all()], many=True).data


class MergedFormFieldSerializer(serializers.Serializer):
    """A field of the bundle's one form, asked once for every item that needs it."""

    key = serializers.CharField(source="field.key")
    label = serializers.CharField(source="field.label")  # type: ignore[assignment]  # DRF stubs: Field.label
    field_type = serializers.ChoiceField(FieldType.choices, source="field.field_type")
    field_type_label = serializers.CharField(source="field.get_field_type_display")
    choices = serializers.ListField(child=serializers.CharField(), source="field.choices")
    help_text = serializers.CharField(source="field.help_text")  # type: ignore[assignment]
    min_value = serializers.DecimalField(14, 2, source="field.min_value", allow_null=True)
    max_value = serializers.DecimalField(14, 2, source="field.max_value", allow_null=True)
    max_length = serializers.IntegerField(source="field.max_length", allow_null=True)
    required = serializers.BooleanField(help_text="Required by at least one item.")  # type: ignore[assignment]
    items = serializers.ListField(child=serializers.CharField(), help_text="Names of the items that ask for it.")


class MergedMaterialSerializer(serializers.Serializer):
    """A material of the bundle's one list, handed in once for every item that needs it."""

    name = serializers.CharField(source="material.name")
    form = serializers.ChoiceField(Material.Form.choices, source="material.form")
    form_label = serializers.CharField(source="material.get_form_display")
    source = serializers.ChoiceField(Material.Source.choices, source="material.source")  # type: ignore[assignment]
    source_label = serializers.CharField(source="material.get_source_display")
    copies = serializers.IntegerField(source="material.copies")
    standard = serializers.CharField(source="material.standard")
    may_be_missing = serializers.BooleanField(source="material.may_be_missing")
    commitment_allowed = serializers.BooleanField(source="material.commitment_allowed")
    required = serializers.BooleanField(help_text="Required by at least one item.")  # type: ignore[assignment]
    items = serializers.ListField(child=serializers.CharField(), help_text="Names of the items that ask for it.")


class BundleDetailSerializer(BundleSerializer):
    merged_form = serializers.SerializerMethodField()
    merged_materials = serializers.SerializerMethodField()

    @extend_schema_field(MergedFormFieldSerializer(many=True))
    def get_merged_form(self, bundle: Bundle) -> Any:
        return MergedFormFieldSerializer(bundle_merged_form(bundle), many=True).data

    @extend_schema_field(MergedMaterialSerializer(many=True))
    def get_merged_materials(self, bundle: Bundle) -> Any:
        return MergedMaterialSerializer(bundle_merged_materials(bundle), many=True).data


class BundleCursorPagination(CursorPagination):
    ordering = "name"
    page_size = 20


# --- reads --------------------------------------------------------------------------------------------
def _valid(serializer_class: type[serializers.Serializer], data: Any) -> Any:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer


def _items() -> QuerySet[Item]:
    return published_items().prefetch_related("published__topics")


def _published_version(implementation_code: str) -> ItemVersion:
    """The version the public sees of an item, with everything its guide shows; 404 if none."""
    children = published_items().order_by("implementation_code")
    versions = (
        ItemVersion.objects.filter(item__published=F("pk"))
        .select_related("item__department", "item__parent__published", "item__parent__department")
        .prefetch_related(*VERSION_ROWS, Prefetch("item__children", queryset=children))
    )
    return get_object_or_404(versions, item__implementation_code=implementation_code)


def _version(pk: int) -> ItemVersion:
    versions = ItemVersion.objects.select_related(
        "item", "created_by", "submitted_by", "reviewed_by").prefetch_related(*VERSION_ROWS)
    return get_object_or_404(versions, pk=pk)


def _version_response(request: Request, pk: int, code: int = status.HTTP_200_OK) -> Response:
    return Response(VersionSerializer(_version(pk), context={"request": request}).data, status=code)


def _bundles() -> QuerySet[Bundle]:
    entries = (BundleItem.objects.filter(item__published__isnull=False)
               .select_related("item__published", "item__department").order_by("order"))
    stages = BundleStage.objects.select_related("lead_department").prefetch_related(
        Prefetch("entries", queryset=entries))
    return published_bundles().prefetch_related(
        Prefetch("stages", queryset=stages),
        Prefetch("entries", queryset=entries.order_by("stage__order", "order")),
    )


CODE_PARAMETER = OpenApiParameter("implementation_code", str, OpenApiParameter.PATH, description="实施编码.")
ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH)


# --- views --------------------------------------------------------------------------------------------
class ItemListView(generics.ListCreateAPIView):
    """The public catalogue (事项清单); catalogue administrators add items to it."""

    serializer_class = ItemSummarySerializer
    filterset_class = ItemFilter
    pagination_class = ItemCursorPagination

    def get_permissions(self) -> list[BasePermission]:
        return [CatalogueAdmin()] if self.request.method == "POST" else [AllowAny()]

    def get_queryset(self) -> QuerySet[Item]:
        return _items()

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        # POST's input (also what OPTIONS describes to an administrator); every answer is serialized explicitly.
        return ItemCreateSerializer if self.request.method == "POST" else ItemSummarySerializer

    @extend_schema(parameters=[ItemSearchQuery], summary="Published items",
                   description="Filter by department, type, audience … or search by name, pinyin or initials.")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = _valid(ItemSearchQuery, request.query_params).validated_data.get("search", "")
        if not query:
            return super().list(request, *args, **kwargs)
        # Ranked by relevance, which no column holds: page over the ranked ids with a plain limit and offset.
        ranked = search_items(query, limit=MAX_SEARCH_RESULTS)
        matching = set(self.filter_queryset(self.get_queryset()).filter(pk__in=ranked).values_list("pk", flat=True))
        ranked = [pk for pk in ranked if pk in matching]
        paginator = SearchPagination()
        page: list[int] = paginator.paginate_queryset(ranked, request, view=self) or []  # type: ignore[arg-type]
        by_pk = {item.pk: item for item in self.get_queryset().filter(pk__in=page)}
        items = [by_pk[pk] for pk in page if pk in by_pk]
        return paginator.get_paginated_response(ItemSummarySerializer(items, many=True).data)

    @extend_schema(request=ItemCreateSerializer, responses={201: VersionSerializer},
                   summary="Create an item and its first draft (catalogue administrators)")
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(ItemCreateSerializer, request.data)
        fields = data.validated_data
        version = item_create(
            actor=request.user, department=fields["department"],
            implementation_code=fields["implementation_code"], basic_code=fields["basic_code"],
            business_code=fields.get("business_code", ""), node=fields["node"], parent=fields.get("parent"),
            content=data.content(), **{k: v for k, v in data.rows().items() if v is not None},
        )
        return _version_response(request, version.pk, status.HTTP_201_CREATED)


class ItemDetailView(APIView):
    """An item's service guide (办事指南) as published."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[CODE_PARAMETER], responses=PublishedItemSerializer, summary="A published item")
    def get(self, request: Request, implementation_code: str) -> Response:
        version = _published_version(implementation_code)
        return Response(PublishedItemSerializer(version, context={"request": request}).data)


class ItemVersionsView(APIView):
    permission_classes = [CatalogueAdmin]

    @extend_schema(parameters=[CODE_PARAMETER], responses=VersionSummarySerializer(many=True),
                   summary="Every version of an item (catalogue administrators)")
    def get(self, request: Request, implementation_code: str) -> Response:
        item = get_object_or_404(Item, implementation_code=implementation_code)
        versions = item.versions.select_related("item", "created_by", "submitted_by", "reviewed_by")
        return Response(VersionSummarySerializer(versions.order_by("-number"), many=True).data)


class ItemDraftsView(APIView):
    permission_classes = [CatalogueAdmin]

    @extend_schema(parameters=[CODE_PARAMETER], request=None, responses={201: VersionSerializer},
                   summary="Open a new draft, copied from the published version")
    def post(self, request: Request, implementation_code: str) -> Response:
        item = get_object_or_404(Item, implementation_code=implementation_code)
        draft = version_new_draft(actor=request.user, item=item)
        return _version_response(request, draft.pk, status.HTTP_201_CREATED)


class VersionView(APIView):
    permission_classes = [CatalogueAdmin]

    @extend_schema(parameters=[ID_PARAMETER], responses=VersionSerializer, summary="A version")
    def get(self, request: Request, pk: int) -> Response:
        return _version_response(request, pk)

    @extend_schema(parameters=[ID_PARAMETER], request=VersionPatchSerializer, responses=VersionSerializer,
                   summary="Edit a draft", description="Elements sent change; a list sent replaces the rows.")
    def patch(self, request: Request, pk: int) -> Response:
        version = get_object_or_404(ItemVersion, pk=pk)
        data = _valid(VersionPatchSerializer, request.data)
        version_update(actor=request.user, version=version, content=data.content(), **data.rows())
        return _version_response(request, pk)


class VersionActionView(APIView, ABC):
    """A step of a version's review; the service checks the state (409) and the four-eyes rule (400)."""

    permission_classes = [CatalogueAdmin]

    @abstractmethod
    def act(self, request: Request, version: ItemVersion) -> None:
        """Call the service of this step."""

    def post(self, request: Request, pk: int) -> Response:
        version = get_object_or_404(ItemVersion, pk=pk)
        self.act(request, version)
        return _version_response(request, pk)


@extend_schema_view(post=extend_schema(parameters=[ID_PARAMETER], request=None, responses=VersionSerializer,
                                       summary="Submit a draft for review"))
class VersionSubmitView(VersionActionView):
    def act(self, request: Request, version: ItemVersion) -> None:
        version_submit(actor=request.user, version=version)


@extend_schema_view(post=extend_schema(parameters=[ID_PARAMETER], request=ApproveSerializer,
                                       responses=VersionSerializer,
                                       summary="Approve and publish (by another administrator)"))
class VersionApproveView(VersionActionView):
    def act(self, request: Request, version: ItemVersion) -> None:
        comment = _valid(ApproveSerializer, request.data).validated_data["comment"]
        version_approve(actor=request.user, version=version, comment=comment)


@extend_schema_view(post=extend_schema(parameters=[ID_PARAMETER], request=SendBackSerializer,
                                       responses=VersionSerializer, summary="Send a version back to its editor"))
class VersionSendBackView(VersionActionView):
    def act(self, request: Request, version: ItemVersion) -> None:
        comment = _valid(SendBackSerializer, request.data).validated_data["comment"]
        version_send_back(actor=request.user, version=version, comment=comment)


@extend_schema_view(post=extend_schema(parameters=[ID_PARAMETER], request=None, responses=VersionSerializer,
                                       summary="Retire the published version"))
class VersionRetireView(VersionActionView):
    def act(self, request: Request, version: ItemVersion) -> None:
        version_retire(actor=request.user, version=version)


class BundleListView(generics.ListAPIView):
    """Published bundles (一件事 / 一个项目) with their stages and items."""

    permission_classes = [AllowAny]
    serializer_class = BundleSerializer
    pagination_class = BundleCursorPagination
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Bundle]:
        return _bundles()


class BundleDetailView(generics.RetrieveAPIView):
    """A published bundle with its one form and one list of materials."""

    permission_classes = [AllowAny]
    serializer_class = BundleDetailSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Bundle]:
        return _bundles()
