"""Django admin for system administration: users, departments, the calendar, and read-only logs."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.models import AuditEvent, CalendarDay, CalendarYear, Department, Notification, OutboxMessage, User
from portal.services.accounts import user_set_active
from portal.services.audit import audit_record

admin.site.site_header = _("政务服务大厅 系统管理")
admin.site.site_title = _("政务服务大厅")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "uscc", "level", "parent", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["name", "code", "uscc"]
    autocomplete_fields = ["parent"]

    def save_model(self, request: HttpRequest, obj: Department, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(actor=request.user, action="department.change" if change else "department.create",
                     obj=obj, after={k: str(form.cleaned_data.get(k)) for k in form.changed_data})


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ["username", "display_name", "role", "department", "is_active", "last_login"]
    list_filter = ["role", "department", "is_active"]
    search_fields = ["username", "display_name", "email"]
    fieldsets = (
        *UserAdmin.fieldsets,  # type: ignore[misc]
        (_("政务服务"), {"fields": ["role", "display_name", "department", "phone", "id_number", "uscc"]}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (_("政务服务"), {"fields": ["role", "display_name", "department"]}),
    )
    actions = ["disable_users", "enable_users"]

    # Enabling and disabling go through the actions, whose service ends sessions and tokens and audits.
    readonly_fields = ["is_active", "last_login", "date_joined"]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(actor=request.user, action="user.change" if change else "user.create", obj=obj,
                     after={k: "***" if "password" in k else str(form.cleaned_data.get(k))
                            for k in form.changed_data})

    @admin.action(description=_("停用所选用户"))
    def disable_users(self, request: HttpRequest, queryset: Any) -> None:
        for user in queryset:
            user_set_active(actor=request.user, user=user, active=False)

    @admin.action(description=_("启用所选用户"))
    def enable_users(self, request: HttpRequest, queryset: Any) -> None:
        for user in queryset:
            user_set_active(actor=request.user, user=user, active=True)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "loaded_at", "loaded_by"]
    change_list_template = "admin/portal/calendaryear/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # years are loaded by the import page, which checks the whole notice

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnlyAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_label", "ip_address", "result"]
    list_filter = ["action", "result"]
    search_fields = ["actor_label", "object_label", "object_id"]
    date_hierarchy = "at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "subject", "read_at", "emailed_at", "texted_at"]
    raw_id_fields = ["recipient"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "task", "published_at", "done_at", "attempts", "last_error"]
    list_filter = ["task"]
