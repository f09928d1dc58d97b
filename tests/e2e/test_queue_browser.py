"""End to end, in Chromium: a ticket at the kiosk, a clerk calls it, the hall display shows it."""

import re

import pytest
from playwright.sync_api import expect

from applications.models import Window
from portal.models import Role
from tests.e2e.conftest import PHONE
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

PASSWORD = "Correct-Horse-9"


def test_kiosk_ticket_called_by_a_clerk_appears_on_the_hall_display(new_page, login):
    Window.objects.create(number="03", name="综合受理3号窗口")
    clerk = UserFactory(role=Role.CLERK, password=PASSWORD)

    display = new_page()
    display.goto("/hall/display/")
    expect(display.locator("h1")).to_contain_text("政务服务大厅")
    display.wait_for_function("() => window.htmx !== undefined")

    kiosk = new_page(viewport=PHONE)
    kiosk.goto("/hall/kiosk/")
    kiosk.get_by_label("普通业务").check()
    kiosk.get_by_label("手机号码（选填）").fill("13912345678")
    kiosk.get_by_role("button", name="取号", exact=True).click()
    expect(kiosk.locator(".ticket-number")).to_have_text("A001")
    expect(kiosk.locator("#ticket-status")).to_contain_text("下一位就是您")
    scroll_width, inner_width = kiosk.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width, f"the ticket page is {scroll_width}px wide on a {inner_width}px phone"
    expect(display.locator("#board-waiting")).to_have_text("1")  # the display's poll saw the new ticket

    desk = new_page()
    login(desk, clerk.username, PASSWORD)
    desk.goto("/hall/desk/")
    desk.get_by_role("combobox", name="窗口").select_option(label="综合受理3号窗口")
    desk.get_by_role("button", name="开启窗口").click()
    expect(desk.locator("#desk-panel")).to_contain_text("已开启 综合受理3号窗口")
    with desk.expect_request(lambda r: r.headers.get("hx-request") == "true"):
        desk.get_by_role("button", name="叫下一位").click()
    expect(desk.locator(".desk-number")).to_contain_text("A001")
    expect(desk).to_have_url(re.compile(r"/hall/desk/$"))  # swapped in place

    latest = display.locator(".board-latest")
    expect(latest.locator(".board-number")).to_have_text("A001")
    expect(latest.locator(".board-window")).to_have_text("03 号窗口")
    expect(display.locator("body")).not_to_contain_text("13912345678")
    expect(kiosk.locator("#ticket-status")).to_contain_text("请到 03 号窗口 办理")  # the phone's poll too
