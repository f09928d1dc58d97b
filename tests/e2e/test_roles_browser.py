"""End to end, in Chromium: the home page, sign-in to every role's workspace, language, phone layout, htmx."""

import re

import pytest
from playwright.sync_api import expect

from portal.models import Role
from portal.workspaces import WORKSPACES
from tests.e2e.conftest import PHONE
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

PASSWORD = "Correct-Horse-9"


def test_home_page_has_title_and_heading(page):
    page.goto("/")
    expect(page).to_have_title(re.compile("政务服务大厅"))
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


@pytest.mark.parametrize("role", Role.values)
def test_each_role_signs_in_to_its_workspace(page, login, role):
    user = UserFactory(role=role, password=PASSWORD)
    workspace = WORKSPACES[role]

    login(page, user.username, PASSWORD)

    expect(page).to_have_url(re.compile(rf"/workspace/{workspace.slug}/$"))
    expect(page.locator("h1")).to_have_text(str(workspace.title))
    expect(page.get_by_role("button", name="退出")).to_be_visible()


def test_language_switch_changes_page_to_english(page):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/$"))


def test_home_page_has_no_horizontal_scroll_on_a_phone(new_page):
    page = new_page(viewport=PHONE)
    page.goto("/")
    expect(page.locator("h1")).to_be_visible()
    scroll_width, inner_width = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width, f"page is {scroll_width}px wide in a {inner_width}px viewport"


def test_due_date_calculator_on_home_page_uses_htmx(page, work_calendar):
    page.goto("/")
    page.wait_for_function("() => window.htmx !== undefined")
    form_area = page.locator("section", has=page.locator("#due-result"))

    form_area.get_by_label("起算日期").fill("2025-09-30")
    form_area.get_by_label("工作日数").fill("5")
    with page.expect_request(lambda r: r.headers.get("hx-request") == "true"):
        form_area.get_by_role("button", name="计算").click()

    expect(page.locator("#due-result")).to_contain_text("2025年10月14日")
    expect(page).to_have_url(re.compile(r"/$"))  # swapped in place, not a full page load
