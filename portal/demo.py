"""Demo data: the departments of a city's service hall and one demo login per role.

Idempotent: running it again keeps what exists. The codes are generated with valid check characters
for the demo; they are not the departments' real registration codes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from stdnum.cn import ric

from portal.models import Department, DepartmentLevel, Role, User
from portal.services.accounts import user_create
from portal.services.calendar import calendar_seed_from_package
from portal.validators import uscc_check_character

DEMO_PASSWORD = "Demo-2026-zwfw"  # noqa: S105 — printed on start; demo data is refused in production settings
CITY_REGION = "330500"  # 湖州市

# (code, name, short name); the service-hall office itself first.
CITY_DEPARTMENTS = [
    ("ZWB", "湖州市政务服务管理办公室", "政务办"),
    ("SCJG", "湖州市市场监督管理局", "市场监管局"),
    ("ZJJ", "湖州市住房和城乡建设局", "住建局"),
    ("ZRZY", "湖州市自然资源和规划局", "资规局"),
    ("STHJ", "湖州市生态环境局", "生态环境局"),
    ("WJW", "湖州市卫生健康委员会", "卫健委"),
    ("GAJ", "湖州市公安局", "公安局"),
    ("MZJ", "湖州市民政局", "民政局"),
    ("JTJ", "湖州市交通运输局", "交通运输局"),
    ("SLJ", "湖州市水利局", "水利局"),
    ("XFZD", "湖州市消防救援支队", "消防支队"),
    ("RSJ", "湖州市人力资源和社会保障局", "人社局"),
    ("FGW", "湖州市发展和改革委员会", "发改委"),
    ("ZHZF", "湖州市综合行政执法局", "综合执法局"),
    ("WGLJ", "湖州市文化广电旅游局", "文广旅局"),
]
# A county-level branch, to show the hierarchy and the level.
BRANCHES = [("SCJG-WX", "湖州市市场监督管理局吴兴分局", "吴兴市场监管分局", "SCJG", DepartmentLevel.COUNTY)]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    display_name: str
    department_code: str | None = None


DEMO_LOGINS = [
    DemoLogin("demo_applicant", Role.APPLICANT_PERSON, "张晓明"),
    DemoLogin("demo_enterprise", Role.APPLICANT_ENTERPRISE, "湖州绿源餐饮管理有限公司"),
    DemoLogin("demo_clerk", Role.CLERK, "王敏", "ZWB"),
    DemoLogin("demo_reviewer", Role.REVIEWER, "李强", "SCJG"),
    DemoLogin("demo_head", Role.HEAD, "陈静", "SCJG"),
    DemoLogin("demo_supervisor", Role.SUPERVISOR, "赵磊", "ZWB"),
    DemoLogin("demo_catalogue", Role.CATALOGUE_ADMIN, "周琳", "ZWB"),
    # A second catalogue administrator: an edit is published only when another one reviews it.
    DemoLogin("demo_catalogue2", Role.CATALOGUE_ADMIN, "吴芳", "ZWB"),
    DemoLogin("demo_agency", Role.AGENCY, "孙浩"),
    DemoLogin("demo_admin", Role.SYSADMIN, "系统管理员", "ZWB"),
]


def make_uscc(prefix17: str) -> str:
    return prefix17 + uscc_check_character(prefix17)


def make_id_number(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")  # the function skips the last character


def department_uscc(index: int) -> str:
    # 1 = 机关 (registration authority: organisation), 1 = 机关 (type), region, then an organisation code.
    return make_uscc(f"11{CITY_REGION}{index:09d}")


@transaction.atomic
def seed_departments() -> dict[str, Department]:
    by_code: dict[str, Department] = {}
    for index, (code, name, short) in enumerate(CITY_DEPARTMENTS, start=1):
        by_code[code], _created = Department.objects.get_or_create(
            code=code,
            defaults={"name": name, "short_name": short, "uscc": department_uscc(index),
                      "level": DepartmentLevel.CITY},
        )
    for index, (code, name, short, parent, level) in enumerate(BRANCHES, start=len(CITY_DEPARTMENTS) + 1):
        by_code[code], _created = Department.objects.get_or_create(
            code=code,
            defaults={"name": name, "short_name": short, "uscc": department_uscc(index), "level": level,
                      "parent": by_code[parent]},
        )
    return by_code


@transaction.atomic
def seed_users(departments: dict[str, Department]) -> list[DemoLogin]:
    for login in DEMO_LOGINS:
        if User.objects.filter(username=login.username).exists():
            continue
        extra: dict = {}
        if login.role == Role.APPLICANT_PERSON:
            extra["id_number"] = make_id_number("33052119900101123")  # 德清县
        if login.role == Role.APPLICANT_ENTERPRISE:
            extra["uscc"] = make_uscc("91330502MA2B3C4D5")
        user_create(
            actor=None, username=login.username, password=DEMO_PASSWORD, role=login.role,
            display_name=login.display_name,
            department=departments[login.department_code] if login.department_code else None,
            email=f"{login.username}@demo.zwfw.example.cn", phone="13800000000",
            is_staff=login.role == Role.SYSADMIN, is_superuser=login.role == Role.SYSADMIN, **extra,
        )
    return DEMO_LOGINS


def seed_demo() -> list[DemoLogin]:
    calendar_seed_from_package()
    return seed_users(seed_departments())
