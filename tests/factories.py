import factory

from portal.demo import department_uscc, make_id_number
from portal.models import Department, DepartmentLevel, Role, User


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"测试部门{n}")
    uscc = factory.Sequence(lambda n: department_uscc(900 + n))
    level = DepartmentLevel.CITY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    phone = "13900000000"
    role = Role.APPLICANT_PERSON
    password = factory.django.Password("Correct-Horse-9")
    id_number = factory.Sequence(lambda n: make_id_number(f"330521199001{(n % 28) + 1:02d}{n % 1000:03d}"))
    department = factory.Maybe(
        factory.LazyAttribute(lambda u: u.role in (Role.REVIEWER, Role.HEAD)),
        yes_declaration=factory.SubFactory(DepartmentFactory),
        no_declaration=None,
    )
