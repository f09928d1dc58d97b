"""End to end: an administrator creates an item in the pages, a second one publishes it, and a citizen finds
it by its pinyin initials and reads its guide on a phone."""

import re

import pytest
from playwright.sync_api import expect

from portal.models import Role
from tests.e2e.conftest import PHONE
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.e2e
PASSWORD = "Correct-Horse-9"


def test_create_review_publish_and_find_by_initials_on_a_phone(page, new_page, login):
    department = DepartmentFactory(code="ZHZF", name="湖州市综合行政执法局")
    editor = UserFactory(role=Role.CATALOGUE_ADMIN, password=PASSWORD)
    reviewer = UserFactory(role=Role.CATALOGUE_ADMIN, password=PASSWORD)

    # The editor creates the item from nothing…
    login(page, editor.username, PASSWORD)
    page.goto("/catalogue/items/new/")
    page.get_by_role("combobox", name="实施部门", exact=True).select_option(str(department.pk))
    page.get_by_role("textbox", name="实施编码", exact=True).fill("ZHZF-2026-0001")
    page.get_by_role("textbox", name="基本编码", exact=True).fill("010140001000")
    page.get_by_role("textbox", name="事项名称", exact=True).fill("城市道路挖掘许可")
    page.get_by_role("combobox", name="事项类型", exact=True).select_option("licensing")
    page.get_by_role("combobox", name="服务对象", exact=True).select_option("both")
    page.get_by_role("button", name="创建草稿").click()
    expect(page.locator("h1")).to_contain_text("城市道路挖掘许可")

    # …fills in the guide's elements, one material and three steps, and submits it.
    page.get_by_role("textbox", name="设定依据", exact=True).fill("《城市道路管理条例》第三十三条")
    page.get_by_role("textbox", name="受理条件", exact=True).fill("因工程建设需要挖掘城市道路的单位和个人")
    page.get_by_role("spinbutton", name="承诺办结时限（工作日）", exact=True).fill("3")
    page.locator("#id_materials-0-name").fill("城市道路挖掘申请表")
    page.locator("#id_steps-0-name").fill("受理")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("status").first).to_contain_text("已保存")
    page.locator("#id_steps-1-name").fill("决定")
    page.get_by_role("button", name="保存并提交审核").click()
    expect(page.locator("h1")).to_contain_text("待审核")

    # A second administrator reviews and publishes it.
    page.context.clear_cookies()
    login(page, reviewer.username, PASSWORD)
    page.goto("/workspace/catalogue/")
    page.get_by_role("link", name=re.compile("城市道路挖掘许可")).click()
    page.get_by_label("审核通过并发布").check()
    page.get_by_role("button", name="提交审核结论").click()
    expect(page.locator("h1")).to_contain_text("已发布")

    # A citizen on a phone finds it by the initials of 城市道路挖掘许可 and reads its guide.
    phone = new_page(viewport=PHONE)
    phone.goto("/")
    phone.get_by_label("搜索办事事项").fill("csdlwjxk")
    phone.get_by_role("button", name="搜索").click()
    phone.get_by_role("link", name="城市道路挖掘许可").click()
    expect(phone.locator("h1")).to_have_text("城市道路挖掘许可")
    expect(phone.get_by_text("《城市道路管理条例》第三十三条")).to_be_visible()
    expect(phone.get_by_role("img", name=re.compile("扫码"))).to_be_visible()
    width, inner = phone.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner
